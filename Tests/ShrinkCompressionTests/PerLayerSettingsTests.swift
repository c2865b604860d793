import Testing
@testable import ShrinkCompression

@Suite struct NamePatternTests {
    @Test func globsMatchWholeNames() {
        #expect(NamePattern("fc*").matches("fc1"))
        #expect(NamePattern("fc*").matches("fc"))
        #expect(!NamePattern("fc*").matches("conv1"))
        #expect(NamePattern("conv?").matches("conv2"))
        #expect(!NamePattern("conv?").matches("conv12"))
        #expect(NamePattern("*.weight").matches("fc1.weight"))
        #expect(!NamePattern("*.weight").matches("fc1.bias"))
        #expect(NamePattern("a*b*c").matches("aXXbYYc"))
        #expect(!NamePattern("a*b*c").matches("aXXbYY"))
        #expect(NamePattern("fc1").matches("fc1") && !NamePattern("fc1").matches("fc10"))
    }
}

@Suite struct PerLayerSettingsTests {
    let settings = PerLayerSettings<Int>(
        default: 5,
        layerTypes: [.init(type: "conv2d", setting: 8)],
        layers: [.init(pattern: "conv2", setting: 4), .init(pattern: "fc*", setting: 6)],
        skip: ["fc3"])

    @Test func namePatternBeatsTypeBeatsDefault() {
        #expect(settings.resolve(layerName: "conv2", layerType: "conv2d") == 4)
        #expect(settings.resolve(layerName: "conv1", layerType: "conv2d") == 8)
        #expect(settings.resolve(layerName: "fc1", layerType: "linear") == 6)
        #expect(settings.resolve(layerName: "other", layerType: "linear") == 5)
    }

    @Test func skipWinsOverEverything() {
        #expect(settings.resolve(layerName: "fc3", layerType: "linear") == nil)
    }

    @Test func decodesWithOptionalSections() throws {
        let json = #"{"default": 3, "layers": [{"pattern": "fc*", "setting": 7}]}"#
        let decoded = try JSONDecoder().decode(PerLayerSettings<Int>.self, from: Data(json.utf8))
        #expect(decoded.resolve(layerName: "fc2", layerType: "linear") == 7)
        #expect(decoded.resolve(layerName: "conv1", layerType: "conv2d") == 3)
        #expect(decoded.skip.isEmpty && decoded.layerTypes.isEmpty)
    }
}
import Foundation
