import Foundation
import Testing
@testable import ShrinkMeasurement

/// Compares against values computed by scikit-learn and numpy (scripts/sklearn-reference.py)
/// on the committed prediction set.
@Suite struct SklearnReferenceTests {
    struct PredictionSet: Decodable {
        var class_count: Int
        var labels: [Int]
        var predictions: [Int]
        var logits: [[Double]]
        var timings_seconds: [Double]
    }

    struct Expected: Decodable {
        struct PerClass: Decodable {
            var class_index: Int
            var precision: Double
            var recall: Double
            var f1: Double
            var support: Int
        }
        struct Average: Decodable {
            var precision: Double
            var recall: Double
            var f1: Double
        }
        struct Timings: Decodable {
            var median: Double
            var p5: Double
            var p95: Double
            var p37_5: Double
            var mean: Double
            var standard_deviation: Double
        }
        var accuracy: Double
        var per_class: [PerClass]
        var averaged_classes: [Int]
        var macro_average: Average
        var weighted_average: Average
        var confusion_matrix: [[Int]]
        var top_k_accuracy: [String: Double]
        var timings: Timings
    }

    let set: PredictionSet
    let expected: Expected

    init() throws {
        set = try Fixtures.decode(PredictionSet.self, from: "predictions.json")
        expected = try Fixtures.decode(Expected.self, from: "sklearn-expected.json")
    }

    @Test func fixtureHasTheAbsentClasses() {
        #expect(set.labels.count == 200)
        #expect(!set.predictions.contains(7) && set.labels.contains(7))
        #expect(!set.labels.contains(9) && set.predictions.contains(9))
    }

    @Test func classificationReportMatchesScikitLearn() throws {
        let report = try ClassificationMetrics.report(predictions: set.predictions, labels: set.labels, classCount: set.class_count)
        #expect(approximatelyEqual(report.accuracy, expected.accuracy))
        #expect(report.confusionMatrix.counts == expected.confusion_matrix)
        #expect(report.averagedClasses == expected.averaged_classes)
        for reference in expected.per_class {
            let metrics = report.perClass[reference.class_index]
            #expect(approximatelyEqual(metrics.precision, reference.precision), "precision of \(reference.class_index)")
            #expect(approximatelyEqual(metrics.recall, reference.recall), "recall of \(reference.class_index)")
            #expect(approximatelyEqual(metrics.f1, reference.f1), "F1 of \(reference.class_index)")
            #expect(metrics.support == reference.support)
        }
        for (ours, theirs) in [(report.macroAverage, expected.macro_average), (report.weightedAverage, expected.weighted_average)] {
            #expect(approximatelyEqual(ours.precision, theirs.precision))
            #expect(approximatelyEqual(ours.recall, theirs.recall))
            #expect(approximatelyEqual(ours.f1, theirs.f1))
        }
    }

    @Test func predictionsAndTopKMatchScikitLearn() throws {
        let flat = set.logits.flatMap { $0.map(Float.init) }
        #expect(try ClassificationMetrics.predictions(logits: flat, classCount: set.class_count) == set.predictions)
        #expect(expected.top_k_accuracy.count == 4)
        for (key, value) in expected.top_k_accuracy {
            let k = try #require(Int(key))
            let ours = try ClassificationMetrics.topKAccuracy(logits: flat, labels: set.labels, classCount: set.class_count, k: k)
            #expect(approximatelyEqual(ours, value), "top-\(k)")
        }
    }

    @Test func statisticsMatchNumpy() throws {
        let values = set.timings_seconds
        let reference = expected.timings
        #expect(approximatelyEqual(try Statistics.median(values), reference.median, tolerance: 1e-15))
        #expect(approximatelyEqual(try Statistics.percentile(values, 5), reference.p5, tolerance: 1e-15))
        #expect(approximatelyEqual(try Statistics.percentile(values, 95), reference.p95, tolerance: 1e-15))
        #expect(approximatelyEqual(try Statistics.percentile(values, 37.5), reference.p37_5, tolerance: 1e-15))
        #expect(approximatelyEqual(try Statistics.mean(values), reference.mean, tolerance: 1e-15))
        #expect(approximatelyEqual(try Statistics.standardDeviation(values), reference.standard_deviation, tolerance: 1e-15))
    }
}
