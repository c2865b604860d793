import Foundation
import Testing
import ShrinkTensor
@testable import ShrinkMeasurement

@Suite struct ClassificationMetricsTests {
    // labels      = [0, 0, 1, 1, 2, 2], predictions = [0, 1, 1, 3, 0, 1], 5 classes:
    // class 2 is never predicted, class 3 never a label, class 4 in neither.
    static let labels = [0, 0, 1, 1, 2, 2]
    static let predictions = [0, 1, 1, 3, 0, 1]

    @Test func confusionMatrixRowsAreLabels() throws {
        let matrix = try ConfusionMatrix(predictions: Self.predictions, labels: Self.labels, classCount: 5)
        #expect(matrix.counts == [
            [1, 1, 0, 0, 0],
            [0, 1, 0, 1, 0],
            [1, 1, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
        ])
        #expect(matrix.total == 6)
    }

    @Test func perClassMetricsWithAbsentClasses() throws {
        let report = try ClassificationMetrics.report(predictions: Self.predictions, labels: Self.labels, classCount: 5)
        #expect(approximatelyEqual(report.accuracy, 1.0 / 3))
        let expected: [(precision: Double, recall: Double, f1: Double, support: Int, predicted: Int)] = [
            (0.5, 0.5, 0.5, 2, 2),     // TP 1, FP 1, FN 1
            (1.0 / 3, 0.5, 0.4, 2, 3), // TP 1, FP 2, FN 1: F1 = 2/(2+2+1)
            (0, 0, 0, 2, 0),           // never predicted: precision 0 by zero_division=0
            (0, 0, 0, 0, 1),           // never a label: recall 0, F1 = 0/(0+1+0)
            (0, 0, 0, 0, 0),           // in neither: all 0
        ]
        for (index, entry) in expected.enumerated() {
            let metrics = report.perClass[index]
            #expect(metrics.classIndex == index)
            #expect(approximatelyEqual(metrics.precision, entry.precision), "class \(index)")
            #expect(approximatelyEqual(metrics.recall, entry.recall), "class \(index)")
            #expect(approximatelyEqual(metrics.f1, entry.f1), "class \(index)")
            #expect(metrics.support == entry.support)
            #expect(metrics.predicted == entry.predicted)
        }
    }

    @Test func macroAverageSkipsClassesInNeitherLabelsNorPredictions() throws {
        let report = try ClassificationMetrics.report(predictions: Self.predictions, labels: Self.labels, classCount: 5)
        #expect(report.averagedClasses == [0, 1, 2, 3])
        #expect(approximatelyEqual(report.macroAverage.precision, (0.5 + 1.0 / 3) / 4))
        #expect(approximatelyEqual(report.macroAverage.recall, 1.0 / 4))
        #expect(approximatelyEqual(report.macroAverage.f1, 0.9 / 4))
        // Weighted by support 2, 2, 2, 0, 0.
        #expect(approximatelyEqual(report.weightedAverage.precision, (0.5 + 1.0 / 3) / 3))
        #expect(approximatelyEqual(report.weightedAverage.recall, 1.0 / 3))
        #expect(approximatelyEqual(report.weightedAverage.f1, 0.9 / 3))
    }

    @Test func perfectAndEmptyPredictions() throws {
        let perfect = try ClassificationMetrics.report(predictions: [0, 1, 2], labels: [0, 1, 2], classCount: 3)
        #expect(perfect.accuracy == 1)
        #expect(perfect.macroAverage == AveragedMetrics(precision: 1, recall: 1, f1: 1))
        let empty = try ClassificationMetrics.report(predictions: [], labels: [], classCount: 3)
        #expect(empty.accuracy == 0)
        #expect(empty.averagedClasses.isEmpty)
        #expect(empty.macroAverage == AveragedMetrics(precision: 0, recall: 0, f1: 0))
        #expect(empty.weightedAverage == AveragedMetrics(precision: 0, recall: 0, f1: 0))
    }

    @Test func invalidInputsThrow() {
        #expect(throws: MeasurementError.lengthMismatch(what: "predictions", expected: 2, actual: 1)) {
            try ClassificationMetrics.report(predictions: [0], labels: [0, 1], classCount: 2)
        }
        #expect(throws: MeasurementError.classOutOfRange(what: "predictions", index: 1, value: 2, classCount: 2)) {
            try ClassificationMetrics.report(predictions: [0, 2], labels: [0, 1], classCount: 2)
        }
        #expect(throws: MeasurementError.classOutOfRange(what: "labels", index: 0, value: -1, classCount: 2)) {
            try ClassificationMetrics.report(predictions: [0], labels: [-1], classCount: 2)
        }
        #expect(throws: MeasurementError.self) {
            try ClassificationMetrics.topKAccuracy(logits: [1, 2, 3], labels: [0], classCount: 2, k: 1)
        }
        #expect(throws: MeasurementError.self) {
            try ClassificationMetrics.topKAccuracy(logits: [1, 2], labels: [0], classCount: 2, k: 0)
        }
    }

    @Test func topFiveTiesRankLowerIndexFirst() throws {
        // Seven equal logits: ranks are the class indices, so only classes 0...4 are top-5.
        let equal = [Float](repeating: 1, count: 7)
        #expect(try ClassificationMetrics.labelRanks(logits: equal + equal, labels: [4, 5], classCount: 7) == [4, 5])
        #expect(try ClassificationMetrics.topKAccuracy(logits: equal + equal, labels: [4, 5], classCount: 7, k: 5) == 0.5)
        #expect(try ClassificationMetrics.topKAccuracy(logits: equal, labels: [0], classCount: 7, k: 1) == 1)
        // Six classes tied at the top: class 5 has rank 4 (hit), class 6 rank 5 (miss).
        let tied: [Float] = [0, 2, 2, 2, 2, 2, 2]
        #expect(try ClassificationMetrics.topKAccuracy(logits: tied + tied, labels: [5, 6], classCount: 7, k: 5) == 0.5)
        // A strictly greater logit always ranks first, whatever its index.
        let row: [Float] = [1, 1, 1, 1, 1, 1, 9]
        #expect(try ClassificationMetrics.labelRanks(logits: row, labels: [6], classCount: 7) == [0])
        #expect(try ClassificationMetrics.labelRanks(logits: row, labels: [4], classCount: 7) == [5])
    }

    @Test func nanLogitsNeverRankAbove() throws {
        let row: [Float] = [.nan, 1, 3, 3]
        #expect(try ClassificationMetrics.labelRanks(logits: row, labels: [1], classCount: 4) == [2])
        #expect(try ClassificationMetrics.labelRanks(logits: row, labels: [0], classCount: 4) == [nil])
        #expect(try ClassificationMetrics.topKAccuracy(logits: row, labels: [0], classCount: 4, k: 4) == 0)
        #expect(try ClassificationMetrics.predictions(logits: row, classCount: 4) == [2])
        #expect(try ClassificationMetrics.predictions(logits: [.nan, .nan, 1, 1, 1, 1], classCount: 3) == [2, 0])
    }

    @Test func tensorLogits() throws {
        let logits = Tensor(shape: [2, 3], scalars: [0.1, 0.7, 0.2, 0.5, 0.5, 0.4]) // [samples, classes]
        #expect(try ClassificationMetrics.predictions(logits: logits) == [1, 0])
        #expect(try ClassificationMetrics.topKAccuracy(logits: logits, labels: [1, 1], k: 1) == 0.5)
        #expect(try ClassificationMetrics.topKAccuracy(logits: logits, labels: [1, 1], k: 2) == 1)
        #expect(throws: MeasurementError.self) {
            try ClassificationMetrics.topKAccuracy(logits: logits, labels: [1], k: 1)
        }
    }

    @Test func reportJSONUsesSnakeCase() throws {
        let report = try ClassificationMetrics.report(predictions: [0, 1], labels: [0, 0], classCount: 2)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for key in ["\"per_class\"", "\"macro_average\"", "\"weighted_average\"", "\"confusion_matrix\"",
                    "\"averaged_classes\"", "\"class_index\"", "\"class_count\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(try JSONDecoder().decode(ClassificationReport.self, from: Data(json.utf8)) == report)
    }
}

