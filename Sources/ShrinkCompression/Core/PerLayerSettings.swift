/// A setting that can differ per layer, resolved **name pattern > layer type > global default**,
/// with a skip list that wins over everything.
///
/// ```json
/// { "default": {"bits": 5},
///   "layerTypes": [{"type": "conv2d", "setting": {"bits": 8}}],
///   "layers": [{"pattern": "fc3", "setting": {"bits": 6}}],
///   "skip": ["fc3"] }
/// ```
/// Patterns are checked in order; the first that matches the layer's name wins.
public struct PerLayerSettings<Setting: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    /// A setting for every node of one op type (`linear`, `conv2d`: the op's registry name,
    /// `Linear`, `Conv2D`, compared case-insensitively).
    public struct TypeOverride: Codable, Equatable, Sendable {
        public var type: String
        public var setting: Setting

        public init(type: String, setting: Setting) {
            self.type = type
            self.setting = setting
        }
    }

    /// A setting for the layers whose names match a pattern.
    public struct NameOverride: Codable, Equatable, Sendable {
        public var pattern: NamePattern
        public var setting: Setting

        public init(pattern: NamePattern, setting: Setting) {
            self.pattern = pattern
            self.setting = setting
        }
    }

    /// The setting of layers no override names; `nil` leaves them untouched.
    public var `default`: Setting?
    public var layerTypes: [TypeOverride]
    public var layers: [NameOverride]
    /// Layers never touched, whatever else says.
    public var skip: [NamePattern]

    public init(
        default: Setting?, layerTypes: [TypeOverride] = [], layers: [NameOverride] = [], skip: [NamePattern] = []
    ) {
        self.default = `default`
        self.layerTypes = layerTypes
        self.layers = layers
        self.skip = skip
    }

    enum CodingKeys: String, CodingKey {
        case `default`, layerTypes, layers, skip
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.default = try container.decodeIfPresent(Setting.self, forKey: .default)
        self.layerTypes = try container.decodeIfPresent([TypeOverride].self, forKey: .layerTypes) ?? []
        self.layers = try container.decodeIfPresent([NameOverride].self, forKey: .layers) ?? []
        self.skip = try container.decodeIfPresent([NamePattern].self, forKey: .skip) ?? []
    }

    /// The setting for one node (layer), or `nil` when it is skipped or nothing applies;
    /// `layerType` is the node's op type.
    public func resolve(layerName: String, layerType: String) -> Setting? {
        if skip.contains(where: { $0.matches(layerName) }) { return nil }
        if let named = layers.first(where: { $0.pattern.matches(layerName) }) { return named.setting }
        if let typed = layerTypes.first(where: { $0.type.lowercased() == layerType.lowercased() }) { return typed.setting }
        return self.default
    }
}
