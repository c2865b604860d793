import Foundation
import ShrinkTraining

/// Shows a progress bar per epoch and a table row when each epoch ends.
final class TrainingProgressDisplay {
    private let showsTable: Bool
    private var bar: ProgressBar?
    private var printedHeader = false

    init(showsTable: Bool) {
        self.showsTable = showsTable
    }

    func observe(_ event: TrainingEvent) {
        switch event {
        case let .batchFinished(epoch, batch, batchCount, loss):
            if bar == nil { bar = ProgressBar(title: "epoch \(epoch)", total: batchCount) }
            bar?.update(completed: batch, suffix: String(format: "loss %.4f", loss))
        case let .epochFinished(summary):
            bar?.finish()
            bar = nil
            guard showsTable else { return }
            var table = TextTable([("epoch", .right), ("train loss", .right), ("train acc", .right),
                                   ("test error", .right), ("test top-5", .right), ("lr", .right), ("seconds", .right)])
            table.append([
                "\(summary.epoch)",
                String(format: "%.4f", summary.trainingLoss),
                percent(summary.trainingAccuracy),
                summary.validationTop1Accuracy.map { percent(1 - $0) } ?? "-",
                summary.validationTop5Accuracy.map { percent($0) } ?? "-",
                String(format: "%.5f", summary.learningRate),
                String(format: "%.2f", summary.trainingSeconds),
            ])
            let lines = table.rendered().split(separator: "\n")
            if !printedHeader {
                print(lines[0])
                print(lines[1])
                printedHeader = true
            }
            print(lines[2])
        }
    }
}
