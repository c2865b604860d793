/// A model whose input the chosen data set does not fit, for a recipe that needs labelled data
/// (reported as one line, without the usage text of an argument error).
struct InputMismatchError: Error, CustomStringConvertible {
    var recipe: String
    var modelSample: [Int]
    var dataset: String
    var datasetSample: [Int]

    var description: String {
        "recipe \(recipe) trains, which needs labelled data shaped like the model's input \(modelSample); "
            + "\(dataset) samples are \(datasetSample)"
    }
}
