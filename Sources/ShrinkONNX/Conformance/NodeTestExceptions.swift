/// The node tests of supported ops that Shrink does not pass, each with its reason (ONNX 1.16.2
/// backend node tests). The runner reports a listed test that passes as passed, and a failing
/// test that is not listed fails the run, so the list can only shrink.
public enum NodeTestExceptions {
    static let activationShapeArithmetic = "Gather or Slice of an activation: Shrink folds them on constants only (static shape arithmetic)"
    static let batchAxis = "acts across axis 0, which Shrink keeps as the batch axis (samples are computed independently): a flatten, reshape, transpose, squeeze/unsqueeze, concat or softmax over axis 0, or Gemm with transA"
    static let dilatedPooling = "dilated pooling is not imported"
    static let emptyTensor = "an input with a zero-size dimension"
    static let integerDivision = "integer division: Shrink's activations are float, so uint8 quotients are not truncated"
    static let maxPoolIndices = "the Indices output of MaxPool is not imported"
    static let noInputs = "a graph without inputs (a constant output)"
    static let notTwoDimensionalPooling = "1-D or 3-D pooling: Shrink's pooling ops are 2-D"
    static let oldOpset = "the model declares an opset below 7 (GlobalAveragePool-1, HardSigmoid-6), outside the imported range 7-21"
    static let optionalOrSequence = "optional and sequence values are not imported"
    static let referenceWraps = "the expected output wraps around int8 (the ONNX reference casts without saturating); Shrink saturates as the QLinearMatMul spec says, like onnxruntime"
    static let shapeOutput = "the graph output is the shape itself: Shrink folds shapes into the ops that read them, and graph outputs are computed from inputs"
    static let sixteenBitFloatOutput = "casts an activation to bfloat16: Shrink's activations are float32, and casts of activations to float32 are the only ones imported"
    static let threeDimensionalQLinearMatMul = "a 3-D b operand: Shrink's QLinearMatMul takes a constant 2-D b"
    static let trainingMode = "training-mode outputs (Dropout masks and training_mode, BatchNormalization running statistics) are not imported; Shrink imports inference graphs and trains them itself"
    static let unsupportedElementType = "float8, 4-bit integer or string tensors are not imported"
    static let wideQuantization = "16-bit or blocked (opset 21 block_size) quantization is not imported: Shrink's integer ops carry 8-bit codes"

    /// Reason by test name.
    public static let reasons: [String: String] = {
        var table = [String: String]()
        let groups: [(String, [String])] = [
            (activationShapeArithmetic, [
                "test_gather_0",
                "test_gather_1",
                "test_gather_2d_indices",
                "test_gather_negative_indices",
                "test_slice",
                "test_slice_default_axes",
                "test_slice_default_steps",
                "test_slice_end_out_of_bounds",
                "test_slice_neg",
                "test_slice_neg_steps",
                "test_slice_negative_axes",
                "test_slice_start_out_of_bounds",
            ]),
            (batchAxis, [
                "test_concat_1d_axis_0",
                "test_concat_1d_axis_negative_1",
                "test_concat_2d_axis_0",
                "test_concat_2d_axis_negative_2",
                "test_concat_3d_axis_0",
                "test_concat_3d_axis_negative_3",
                "test_flatten_axis0",
                "test_flatten_axis2",
                "test_flatten_axis3",
                "test_flatten_negative_axis1",
                "test_flatten_negative_axis2",
                "test_flatten_negative_axis4",
                "test_gemm_all_attributes",
                "test_gemm_transposeA",
                "test_logsoftmax_axis_0",
                "test_reshape_negative_extended_dims",
                "test_reshape_one_dim",
                "test_reshape_reordered_all_dims",
                "test_softmax_axis_0",
                "test_squeeze",
                "test_transpose_all_permutations_2",
                "test_transpose_all_permutations_3",
                "test_transpose_all_permutations_4",
                "test_transpose_all_permutations_5",
                "test_transpose_default",
                "test_unsqueeze_axis_0",
            ]),
            (dilatedPooling, [
                "test_averagepool_2d_dilations",
                "test_maxpool_2d_dilations",
            ]),
            (emptyTensor, [
                "test_reshape_allowzero_reordered",
            ]),
            (integerDivision, [
                "test_div_uint8",
            ]),
            (maxPoolIndices, [
                "test_maxpool_with_argmax_2d_precomputed_pads",
                "test_maxpool_with_argmax_2d_precomputed_strides",
            ]),
            (noInputs, [
                "test_constant",
            ]),
            (notTwoDimensionalPooling, [
                "test_averagepool_1d_default",
                "test_averagepool_3d_default",
                "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_False",
                "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_True",
                "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_False",
                "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True",
                "test_averagepool_3d_dilations_small",
                "test_maxpool_1d_default",
                "test_maxpool_3d_default",
                "test_maxpool_3d_dilations",
                "test_maxpool_3d_dilations_use_ref_impl",
                "test_maxpool_3d_dilations_use_ref_impl_large",
            ]),
            (oldOpset, [
                "test_globalaveragepool",
                "test_globalaveragepool_precomputed",
                "test_hardsigmoid",
                "test_hardsigmoid_default",
                "test_hardsigmoid_example",
            ]),
            (optionalOrSequence, [
                "test_identity_opt",
                "test_identity_sequence",
            ]),
            (referenceWraps, [
                "test_qlinearmatmul_2D_int8_float16",
                "test_qlinearmatmul_2D_int8_float32",
            ]),
            (shapeOutput, [
                "test_shape",
                "test_shape_clip_end",
                "test_shape_clip_start",
                "test_shape_end_1",
                "test_shape_end_negative_1",
                "test_shape_example",
                "test_shape_start_1",
                "test_shape_start_1_end_2",
                "test_shape_start_1_end_negative_1",
                "test_shape_start_negative_1",
            ]),
            (sixteenBitFloatOutput, [
                "test_cast_FLOAT_to_BFLOAT16",
                "test_castlike_FLOAT_to_BFLOAT16_expanded",
            ]),
            (threeDimensionalQLinearMatMul, [
                "test_qlinearmatmul_3D_int8_float16",
                "test_qlinearmatmul_3D_int8_float32",
                "test_qlinearmatmul_3D_uint8_float16",
                "test_qlinearmatmul_3D_uint8_float32",
            ]),
            (trainingMode, [
                "test_batchnorm_epsilon_training_mode",
                "test_batchnorm_example_training_mode",
                "test_dropout_default_mask",
                "test_dropout_default_mask_ratio",
                "test_training_dropout",
                "test_training_dropout_default",
                "test_training_dropout_default_mask",
                "test_training_dropout_mask",
                "test_training_dropout_zero_ratio",
                "test_training_dropout_zero_ratio_mask",
            ]),
            (unsupportedElementType, [
                "test_cast_FLOAT16_to_FLOAT8E4M3FN",
                "test_cast_FLOAT16_to_FLOAT8E4M3FNUZ",
                "test_cast_FLOAT16_to_FLOAT8E5M2",
                "test_cast_FLOAT16_to_FLOAT8E5M2FNUZ",
                "test_cast_FLOAT16_to_INT4",
                "test_cast_FLOAT16_to_UINT4",
                "test_cast_FLOAT8E4M3FNUZ_to_FLOAT",
                "test_cast_FLOAT8E4M3FNUZ_to_FLOAT16",
                "test_cast_FLOAT8E4M3FN_to_FLOAT",
                "test_cast_FLOAT8E4M3FN_to_FLOAT16",
                "test_cast_FLOAT8E5M2FNUZ_to_FLOAT",
                "test_cast_FLOAT8E5M2FNUZ_to_FLOAT16",
                "test_cast_FLOAT8E5M2_to_FLOAT",
                "test_cast_FLOAT8E5M2_to_FLOAT16",
                "test_cast_FLOAT_to_FLOAT8E4M3FN",
                "test_cast_FLOAT_to_FLOAT8E4M3FNUZ",
                "test_cast_FLOAT_to_FLOAT8E5M2",
                "test_cast_FLOAT_to_FLOAT8E5M2FNUZ",
                "test_cast_FLOAT_to_INT4",
                "test_cast_FLOAT_to_STRING",
                "test_cast_FLOAT_to_UINT4",
                "test_cast_INT4_to_FLOAT",
                "test_cast_INT4_to_FLOAT16",
                "test_cast_INT4_to_INT8",
                "test_cast_STRING_to_FLOAT",
                "test_cast_UINT4_to_FLOAT",
                "test_cast_UINT4_to_FLOAT16",
                "test_cast_UINT4_to_UINT8",
                "test_cast_no_saturate_FLOAT16_to_FLOAT8E4M3FN",
                "test_cast_no_saturate_FLOAT16_to_FLOAT8E4M3FNUZ",
                "test_cast_no_saturate_FLOAT16_to_FLOAT8E5M2",
                "test_cast_no_saturate_FLOAT16_to_FLOAT8E5M2FNUZ",
                "test_cast_no_saturate_FLOAT_to_FLOAT8E4M3FN",
                "test_cast_no_saturate_FLOAT_to_FLOAT8E4M3FNUZ",
                "test_cast_no_saturate_FLOAT_to_FLOAT8E5M2",
                "test_cast_no_saturate_FLOAT_to_FLOAT8E5M2FNUZ",
                "test_castlike_FLOAT8E4M3FNUZ_to_FLOAT_expanded",
                "test_castlike_FLOAT8E4M3FN_to_FLOAT_expanded",
                "test_castlike_FLOAT8E5M2FNUZ_to_FLOAT_expanded",
                "test_castlike_FLOAT8E5M2_to_FLOAT_expanded",
                "test_castlike_FLOAT_to_FLOAT8E4M3FNUZ_expanded",
                "test_castlike_FLOAT_to_FLOAT8E4M3FN_expanded",
                "test_castlike_FLOAT_to_FLOAT8E5M2FNUZ_expanded",
                "test_castlike_FLOAT_to_FLOAT8E5M2_expanded",
                "test_castlike_FLOAT_to_STRING_expanded",
                "test_castlike_STRING_to_FLOAT_expanded",
                "test_dequantizelinear_e4m3fn",
                "test_dequantizelinear_e4m3fn_float16",
                "test_dequantizelinear_e4m3fn_zero_point",
                "test_dequantizelinear_e5m2",
                "test_dequantizelinear_int4",
                "test_dequantizelinear_uint4",
                "test_quantizelinear_e4m3fn",
                "test_quantizelinear_e5m2",
                "test_quantizelinear_int4",
                "test_quantizelinear_uint4",
            ]),
            (wideQuantization, [
                "test_dequantizelinear_blocked",
                "test_quantizelinear_blocked_asymmetric",
                "test_quantizelinear_blocked_symmetric",
                "test_quantizelinear_int16",
                "test_quantizelinear_uint16",
            ]),
        ]
        for (reason, tests) in groups { for test in tests { table[test] = reason } }
        return table
    }()
}
