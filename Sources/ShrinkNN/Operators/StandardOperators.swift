extension OperatorRegistry {
    /// Every op Shrink trains, stores and runs. Adding an op: its file in `Operators/`, one line
    /// here, its test.
    public static let standard = OperatorRegistry([
        LinearOperator.self,
        Convolution2DOperator.self,
        BatchNormalizationOperator.self,
        MaxPool2DOperator.self,
        AveragePool2DOperator.self,
        GlobalAveragePoolOperator.self,
        ReLUOperator.self,
        FlattenOperator.self,
        DropoutOperator.self,
    ])
}
