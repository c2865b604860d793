/// How `ONNXExporter` writes a model's weights and activations.
public enum ONNXExportQuantization: String, Sendable, Equatable, CaseIterable {
    /// Every weight as its decoded fp32 values (fp16, palette, sparse and affine-coded tensors
    /// included); no quantization nodes.
    case none
    /// QDQ int8: weights stored as signed 8-bit affine codes with zero point 0 (per output
    /// channel or per tensor, what Shrink's int8 quantization writes) become an INT8 initializer
    /// read through a `DequantizeLinear`; the inputs the runtime quantizes with calibrated
    /// parameters (`ModelFile.activationQuantization`) pass through `QuantizeLinear` →
    /// `DequantizeLinear`. A BatchNormalization reading only an int8 node's output is folded
    /// into that node's scales and bias (as the runtime folds it), so onnxruntime sees
    /// `DequantizeLinear` → `Conv`/`Gemm` → `QuantizeLinear` and turns it into integer kernels.
    /// Other weights stay fp32.
    case qdq
}
