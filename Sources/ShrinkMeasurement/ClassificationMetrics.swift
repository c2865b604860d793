import ShrinkTensor

/// Classification metrics from predicted classes and from logits.
///
/// **Absent classes** follow scikit-learn with `zero_division=0`: a class that is never
/// predicted has precision 0, a class that never occurs in the labels has recall 0, and F1 is
/// 2·TP / (2·TP + FP + FN), or 0 when that is 0/0. The macro average runs over the classes that
/// occur in the labels or in the predictions (scikit-learn's default `labels`); classes in
/// `0..<classCount` that occur in neither still get a `ClassMetrics` entry (all zeros) but do
/// not pull the macro average down.
///
/// **Ranking rule (ties)**, the same as `ShrinkTraining.Evaluator`: classes are ranked by logit,
/// highest first; equal logits are ordered by class index, lowest first. The top-1 prediction is
/// the first maximal logit (as `numpy.argmax`), and a sample is top-k correct when fewer than k
/// classes have a strictly greater logit or an equal logit and a lower index. NaN logits never
/// rank above another class; a sample whose label's logit is NaN is never counted correct.
/// (scikit-learn's `top_k_accuracy_score` breaks ties the other way, highest index first, so it
/// agrees only on tie-free scores.)
public enum ClassificationMetrics {
    /// Computes accuracy, per-class and averaged precision/recall/F1 and the confusion matrix.
    ///
    /// - Throws: `MeasurementError` when the arrays differ in length, `classCount < 1`, or a
    ///   class index is outside `0..<classCount`.
    public static func report(predictions: [Int], labels: [Int], classCount: Int) throws -> ClassificationReport {
        let matrix = try ConfusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        let samples = labels.count
        var correct = 0
        var supports = [Int](repeating: 0, count: classCount)
        var predictedCounts = [Int](repeating: 0, count: classCount)
        for trueClass in 0..<classCount {
            for predictedClass in 0..<classCount {
                let count = matrix.counts[trueClass][predictedClass]
                supports[trueClass] += count
                predictedCounts[predictedClass] += count
                if trueClass == predictedClass { correct += count }
            }
        }
        var perClass = [ClassMetrics]()
        perClass.reserveCapacity(classCount)
        for index in 0..<classCount {
            let truePositives = matrix.counts[index][index]
            let falsePositives = predictedCounts[index] - truePositives
            let falseNegatives = supports[index] - truePositives
            perClass.append(ClassMetrics(
                classIndex: index,
                precision: ratio(truePositives, predictedCounts[index]),
                recall: ratio(truePositives, supports[index]),
                f1: ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives),
                support: supports[index], predicted: predictedCounts[index]))
        }
        let averagedClasses = (0..<classCount).filter { supports[$0] > 0 || predictedCounts[$0] > 0 }
        let macro = average(perClass, over: averagedClasses) { _ in 1 }
        let weighted = average(perClass, over: Array(0..<classCount)) { Double($0.support) }
        return ClassificationReport(
            samples: samples, classCount: classCount, accuracy: ratio(correct, samples),
            perClass: perClass, averagedClasses: averagedClasses, macroAverage: macro,
            weightedAverage: weighted, confusionMatrix: matrix)
    }

    /// The fraction of samples whose label ranks among the `k` highest logits (see the ranking
    /// rule above). `logits` is row-major `[labels.count, classCount]`. Returns 0 for no samples.
    public static func topKAccuracy(logits: [Float], labels: [Int], classCount: Int, k: Int) throws -> Double {
        let ranks = try labelRanks(logits: logits, labels: labels, classCount: classCount)
        guard k >= 1 else { throw MeasurementError.invalidArgument(name: "k", reason: "must be at least 1, got \(k)") }
        let hits = ranks.reduce(0) { $0 + (($1 ?? Int.max) < k ? 1 : 0) }
        return ratio(hits, labels.count)
    }

    /// `topKAccuracy` for a `[samples, classes]` logits tensor.
    public static func topKAccuracy(logits: Tensor, labels: [Int], k: Int) throws -> Double {
        let classCount = try matrixColumns(logits, rows: labels.count)
        return try topKAccuracy(logits: logits.scalars, labels: labels, classCount: classCount, k: k)
    }

    /// The 0-based rank of each sample's label under the ranking rule, or nil when the label's
    /// logit is NaN. `logits` is row-major `[labels.count, classCount]`.
    public static func labelRanks(logits: [Float], labels: [Int], classCount: Int) throws -> [Int?] {
        guard classCount >= 1 else {
            throw MeasurementError.invalidArgument(name: "classCount", reason: "must be at least 1, got \(classCount)")
        }
        guard logits.count == labels.count * classCount else {
            throw MeasurementError.lengthMismatch(what: "logits", expected: labels.count * classCount, actual: logits.count)
        }
        for (index, label) in labels.enumerated() where !(0..<classCount).contains(label) {
            throw MeasurementError.classOutOfRange(what: "labels", index: index, value: label, classCount: classCount)
        }
        return logits.withUnsafeBufferPointer { buffer in
            labels.enumerated().map { sample, label -> Int? in
                LogitRanking.rank(of: label, in: buffer.baseAddress! + sample * classCount, count: classCount)
            }
        }
    }

    /// The top-1 class of each row: the first maximal logit, ignoring NaN (0 when a row is all
    /// NaN). `logits` is row-major `[rows, classCount]`.
    public static func predictions(logits: [Float], classCount: Int) throws -> [Int] {
        guard classCount >= 1 else {
            throw MeasurementError.invalidArgument(name: "classCount", reason: "must be at least 1, got \(classCount)")
        }
        guard logits.count % classCount == 0 else {
            throw MeasurementError.invalidArgument(
                name: "logits", reason: "\(logits.count) values are not a whole number of rows of \(classCount)")
        }
        let rows = logits.count / classCount
        return logits.withUnsafeBufferPointer { buffer in
            (0..<rows).map { rowIndex in
                LogitRanking.argmax(buffer.baseAddress! + rowIndex * classCount, count: classCount)
            }
        }
    }

    /// `predictions` for a `[samples, classes]` logits tensor.
    public static func predictions(logits: Tensor) throws -> [Int] {
        guard logits.shape.count == 2 else {
            throw MeasurementError.invalidArgument(name: "logits", reason: "shape \(logits.shape) is not [samples, classes]")
        }
        return try predictions(logits: logits.scalars, classCount: logits.shape[1])
    }

    /// Checks that predictions and labels are parallel arrays of classes in `0..<classCount`.
    static func validate(predictions: [Int], labels: [Int], classCount: Int) throws {
        guard classCount >= 1 else {
            throw MeasurementError.invalidArgument(name: "classCount", reason: "must be at least 1, got \(classCount)")
        }
        guard predictions.count == labels.count else {
            throw MeasurementError.lengthMismatch(what: "predictions", expected: labels.count, actual: predictions.count)
        }
        for (index, label) in labels.enumerated() where !(0..<classCount).contains(label) {
            throw MeasurementError.classOutOfRange(what: "labels", index: index, value: label, classCount: classCount)
        }
        for (index, prediction) in predictions.enumerated() where !(0..<classCount).contains(prediction) {
            throw MeasurementError.classOutOfRange(what: "predictions", index: index, value: prediction, classCount: classCount)
        }
    }

    private static func matrixColumns(_ logits: Tensor, rows: Int) throws -> Int {
        guard logits.shape.count == 2, logits.shape[0] == rows else {
            throw MeasurementError.invalidArgument(name: "logits", reason: "shape \(logits.shape) is not [\(rows), classes]")
        }
        return logits.shape[1]
    }

    /// numerator / denominator, or 0 when the denominator is 0.
    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    private static func average(_ metrics: [ClassMetrics], over classes: [Int],
                                weight: (ClassMetrics) -> Double) -> AveragedMetrics {
        var totalWeight = 0.0
        var precision = 0.0, recall = 0.0, f1 = 0.0
        for index in classes {
            let entry = metrics[index]
            let w = weight(entry)
            totalWeight += w
            precision += w * entry.precision
            recall += w * entry.recall
            f1 += w * entry.f1
        }
        guard totalWeight > 0 else { return AveragedMetrics(precision: 0, recall: 0, f1: 0) }
        return AveragedMetrics(precision: precision / totalWeight, recall: recall / totalWeight, f1: f1 / totalWeight)
    }
}
