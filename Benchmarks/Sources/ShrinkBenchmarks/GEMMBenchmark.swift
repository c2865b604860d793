import ArgumentParser
import ShrinkKernels
import ShrinkTensor

/// `shrink-benchmarks gemm`: GFLOP/s of `GEMM.multiply` on standard shapes and thread counts.
struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Single-precision GEMM throughput (median, p5, p95 GFLOP/s over timed samples)."
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, tsv
    }

    @Option(name: .customLong("case"), help: "Case to run (repeatable; default: all, see --list).")
    var caseNames: [String] = []

    @Option(name: .customLong("threads"), help: "Thread count (repeatable).")
    var threadCounts: [Int] = [1, 2]

    @Option(help: "Timed samples per case (at least 20 for the published statistics).")
    var samples: Int = 20

    @Option(help: "Untimed calls before the samples.")
    var warmUp: Int = 3

    @Option(help: "Each sample repeats the call until it lasts at least this long.")
    var minimumSampleMilliseconds: Double = 5

    @Option(help: "Force a CPU path: portable, avx2, avx512 (x86-64) or neon (aarch64) (default: detected).")
    var path: String?

    @Option(help: "Output: table (for people) or tsv (for compare-gemm.sh).")
    var format: OutputFormat = .table

    @Flag(help: "Print the cases as name:m:n:k:transposeA:transposeB and exit.")
    var list = false

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard threadCounts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads must be at least 1") }
        for name in caseNames where !GEMMCase.all.contains(where: { $0.name == name }) {
            throw ValidationError("unknown case \(name); known: \(GEMMCase.all.map(\.name).joined(separator: ", "))")
        }
        if let path {
            guard let chosen = CPUPath.allCases.first(where: { $0.description == path }) else {
                throw ValidationError("unknown CPU path \(path); known: portable, avx2, avx512, neon")
            }
            guard CPUPath.available.contains(chosen) else {
                throw ValidationError("CPU path \(path) is not supported on this machine")
            }
        }
    }

    func run() throws {
        let cases = caseNames.isEmpty ? GEMMCase.all : GEMMCase.all.filter { caseNames.contains($0.name) }
        if list {
            for benchmarkCase in cases { print(benchmarkCase.specification) }
            return
        }
        let cpuPath = path.flatMap { name in CPUPath.allCases.first { $0.description == name } } ?? CPUPath.active
        CPUPath.withPath(cpuPath) {
            switch format {
            case .table:
                print("GEMM, CPU path \(cpuPath), \(samples) samples after \(warmUp) warm-up calls, GFLOP/s")
                print(pad("case", 20) + pad("m×n×k", 16) + pad("threads", 8)
                      + pad("median", 9) + pad("p5", 9) + pad("p95", 9) + "cpu-time median")
            case .tsv:
                print("# benchmark\tcase\tthreads\timplementation\tm\tn\tk\ttransposeA\ttransposeB\tmedian\tp5\tp95\tcpuMedian\trepetitions")
            }
            for threadCount in threadCounts {
                for benchmarkCase in cases {
                    report(benchmarkCase, threadCount: threadCount, cpuPath: cpuPath)
                }
            }
        }
    }

    private func report(_ benchmarkCase: GEMMCase, threadCount: Int, cpuPath: CPUPath) {
        let measurement = measure(benchmarkCase, threadCount: threadCount)
        let throughput = measurement.wallSeconds.map { benchmarkCase.operations / $0 / 1e9 }
        let median = Statistics.percentile(throughput, 50)
        let p5 = Statistics.percentile(throughput, 5)
        let p95 = Statistics.percentile(throughput, 95)
        // Thread CPU time measures the whole product only when it runs on the calling thread.
        let cpuMedian = threadCount == 1
            ? Statistics.percentile(measurement.threadCPUSeconds.map { benchmarkCase.operations / $0 / 1e9 }, 50)
            : Double.nan
        switch format {
        case .table:
            let shape = "\(benchmarkCase.m)×\(benchmarkCase.n)×\(benchmarkCase.k)"
            print(pad(benchmarkCase.name, 20) + pad(shape, 16) + pad("\(threadCount)", 8)
                  + pad(fixed(median), 9) + pad(fixed(p5), 9) + pad(fixed(p95), 9)
                  + (cpuMedian.isNaN ? "-" : fixed(cpuMedian)))
        case .tsv:
            let fields: [String] = [
                "gemm", benchmarkCase.name, "\(threadCount)", "shrink-\(cpuPath)",
                "\(benchmarkCase.m)", "\(benchmarkCase.n)", "\(benchmarkCase.k)",
                benchmarkCase.transposeA ? "1" : "0", benchmarkCase.transposeB ? "1" : "0",
                fixed(median), fixed(p5), fixed(p95), cpuMedian.isNaN ? "nan" : fixed(cpuMedian),
                "\(measurement.repetitions)",
            ]
            print(fields.joined(separator: "\t"))
        }
    }

    /// Times `GEMM.multiply` on random operands stored as the case says (C = A·B, beta 0).
    private func measure(_ benchmarkCase: GEMMCase, threadCount: Int) -> Measurement {
        let (m, n, k) = (benchmarkCase.m, benchmarkCase.n, benchmarkCase.k)
        var generator = SeededRandomNumberGenerator(seed: 2024)
        let a = AlignedMatrix(count: m * k, generator: &generator)  // [m×k] or [k×m] when transposed
        let b = AlignedMatrix(count: k * n, generator: &generator)  // [k×n] or [n×k] when transposed
        let c = AlignedMatrix(count: m * n, generator: &generator)  // [m×n]
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        let aOperand = MatrixOperand(UnsafePointer(a.base), rowStride: benchmarkCase.transposeA ? m : k,
                                     transposed: benchmarkCase.transposeA)
        let bOperand = MatrixOperand(UnsafePointer(b.base), rowStride: benchmarkCase.transposeB ? k : n,
                                     transposed: benchmarkCase.transposeB)
        return Measurement.run(warmUp: warmUp, samples: samples,
                               minimumSampleSeconds: minimumSampleMilliseconds / 1000) {
            GEMM.multiply(m: m, n: n, k: k, a: aOperand, b: bOperand, c: c.base, cRowStride: n,
                          threadCount: threadCount)
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func fixed(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}

/// A 64-byte aligned float buffer filled with uniform values in [-1, 1).
struct AlignedMatrix {
    let base: UnsafeMutablePointer<Float>

    init(count: Int, generator: inout SeededRandomNumberGenerator) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(1, count))
        for index in 0..<count { base[index] = generator.nextUniform() * 2 - 1 }
    }

    func deallocate() { UnsafeMutableRawPointer(base).deallocate() }
}
