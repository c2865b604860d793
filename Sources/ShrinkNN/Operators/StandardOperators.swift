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
        AdditionOperator.self,
        MultiplicationOperator.self,
        SubtractionOperator.self,
        DivisionOperator.self,
        ConcatenationOperator.self,
        ReshapeOperator.self,
        TransposeOperator.self,
        ClipOperator.self,
        ReLU6Operator.self,
        LeakyReLUOperator.self,
        SigmoidOperator.self,
        TanhOperator.self,
        HardSwishOperator.self,
        SiLUOperator.self,
        HardSigmoidOperator.self,
        IdentityOperator.self,
        SoftmaxOperator.self,
        LogSoftmaxOperator.self,
        MatrixMultiplicationOperator.self,
    ])
}
