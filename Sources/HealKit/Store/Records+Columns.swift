import GRDB

// Each record names its columns once, from its coding keys (GRDB's `enum Columns`), so a query reads
// `RunRecord.Columns.startedAt` and a renamed column is one edit the compiler follows.

extension RunRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let pipeline = Column(CodingKeys.pipeline)
        public static let logicalDate = Column(CodingKeys.logicalDate)
        public static let status = Column(CodingKeys.status)
        public static let kind = Column(CodingKeys.kind)
        public static let startedAt = Column(CodingKeys.startedAt)
    }
}

extension AttemptRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let runId = Column(CodingKeys.runId)
        public static let step = Column(CodingKeys.step)
        public static let outcome = Column(CodingKeys.outcome)
    }
}

extension ArtifactRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let runId = Column(CodingKeys.runId)
    }
}

extension AlertRecord {
    public enum Columns {
        public static let runId = Column(CodingKeys.runId)
        public static let logicalDate = Column(CodingKeys.logicalDate)
        public static let severity = Column(CodingKeys.severity)
        public static let signature = Column(CodingKeys.signature)
        public static let duplicateOf = Column(CodingKeys.duplicateOf)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension QuarantineBatchRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let runId = Column(CodingKeys.runId)
        public static let pipeline = Column(CodingKeys.pipeline)
        public static let logicalDate = Column(CodingKeys.logicalDate)
        public static let status = Column(CodingKeys.status)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension QuarantineActionRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let batchId = Column(CodingKeys.batchId)
    }
}

extension ProposalRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let runId = Column(CodingKeys.runId)
    }
}

extension MappingRecord {
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let fingerprint = Column(CodingKeys.fingerprint)
        public static let status = Column(CodingKeys.status)
    }
}
