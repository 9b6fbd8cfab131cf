import HealKit
