/// Precision, recall, F1 and support of one class.
public struct ClassMetrics: Codable, Equatable, Sendable {
    /// The class index.
    public var classIndex: Int
    /// True positives / predicted positives; 0 when the class is never predicted (scikit-learn
    /// `zero_division=0`).
    public var precision: Double
    /// True positives / actual positives; 0 when the class never occurs in the labels.
    public var recall: Double
    /// 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when that
    /// denominator is 0.
    public var f1: Double
    /// The number of samples whose label is this class.
    public var support: Int
    /// The number of samples predicted as this class.
    public var predicted: Int

    /// Creates the metrics of one class.
    public init(classIndex: Int, precision: Double, recall: Double, f1: Double, support: Int, predicted: Int) {
        self.classIndex = classIndex
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.predicted = predicted
    }

    enum CodingKeys: String, CodingKey {
        case classIndex = "class_index"
        case precision, recall, f1, support, predicted
    }
}

/// Precision, recall and F1 averaged over classes.
public struct AveragedMetrics: Codable, Equatable, Sendable {
    /// The averaged precision.
    public var precision: Double
    /// The averaged recall.
    public var recall: Double
    /// The averaged F1 (the average of the per-class F1 values, not the F1 of the averages).
    public var f1: Double

    /// Creates averaged metrics.
    public init(precision: Double, recall: Double, f1: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }
}

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// The number of classes (rows and columns).
    public var classCount: Int
    /// `counts[trueClass][predictedClass]`: rows are labels, columns are predictions
    /// (the scikit-learn `confusion_matrix` orientation).
    public var counts: [[Int]]

    /// Creates a confusion matrix; `counts` must be `classCount × classCount`.
    public init(classCount: Int, counts: [[Int]]) {
        precondition(counts.count == classCount && counts.allSatisfy { $0.count == classCount },
                     "confusion matrix must be \(classCount)x\(classCount)")
        self.classCount = classCount
        self.counts = counts
    }

    /// Counts the pairs `(labels[i], predictions[i])`.
    public init(predictions: [Int], labels: [Int], classCount: Int) throws {
        try ClassificationMetrics.validate(predictions: predictions, labels: labels, classCount: classCount)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (label, prediction) in zip(labels, predictions) { counts[label][prediction] += 1 }
        self.init(classCount: classCount, counts: counts)
    }

    /// The total number of samples.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    enum CodingKeys: String, CodingKey {
        case classCount = "class_count"
        case counts
    }
}

/// The classification quality of a set of predictions: accuracy, per-class and averaged
/// precision/recall/F1, and the confusion matrix.
public struct ClassificationReport: Codable, Equatable, Sendable {
    /// The number of samples.
    public var samples: Int
    /// The number of classes the model distinguishes.
    public var classCount: Int
    /// The fraction of samples whose prediction equals the label (0 for no samples).
    public var accuracy: Double
    /// One entry per class `0..<classCount`, in class order.
    public var perClass: [ClassMetrics]
    /// The classes entering the macro average: those occurring in the labels or in the
    /// predictions (scikit-learn's default `labels`), in increasing order.
    public var averagedClasses: [Int]
    /// The unweighted mean over `averagedClasses`.
    public var macroAverage: AveragedMetrics
    /// The mean over all classes weighted by support (classes without support weigh 0,
    /// so it does not depend on which classes are listed); all 0 for no samples.
    public var weightedAverage: AveragedMetrics
    /// The confusion matrix (rows: labels, columns: predictions).
    public var confusionMatrix: ConfusionMatrix

    /// Creates a report from its parts (use `ClassificationMetrics.report` to compute one).
    public init(samples: Int, classCount: Int, accuracy: Double, perClass: [ClassMetrics],
                averagedClasses: [Int], macroAverage: AveragedMetrics, weightedAverage: AveragedMetrics,
                confusionMatrix: ConfusionMatrix) {
        self.samples = samples
        self.classCount = classCount
        self.accuracy = accuracy
        self.perClass = perClass
        self.averagedClasses = averagedClasses
        self.macroAverage = macroAverage
        self.weightedAverage = weightedAverage
        self.confusionMatrix = confusionMatrix
    }

    enum CodingKeys: String, CodingKey {
        case samples
        case classCount = "class_count"
        case accuracy
        case perClass = "per_class"
        case averagedClasses = "averaged_classes"
        case macroAverage = "macro_average"
        case weightedAverage = "weighted_average"
        case confusionMatrix = "confusion_matrix"
    }
}
