// libFuzzer entry point over `HostRewriter.rewrite`: buildspecs inside CloudFormation templates
// and Terraform files. Built by scripts/fuzz with the core's sources as one module.
//
// The first byte picks the file name the rest is read under (the host is chosen by name and
// content, as the tool chooses it). Invariants, checked on every input:
// - no crash, no hang (libFuzzer's -timeout);
// - a file that is not rewritten comes back byte-identical;
// - a rewritten file differs from the input, and a second rewrite changes nothing. (That every
//   embedded buildspec reads back as the guarded one is checked inside the rewrite itself.)

let fileNames = ["template.yaml", "template.json", "main.tf", "buildspec.tftpl"]

@_cdecl("LLVMFuzzerTestOneInput")
public func templateFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let fileName = fileNames[Int(data[0]) % fileNames.count]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let result = HostRewriter.rewrite(input, fileName: fileName)
    guard result.outcome == .rewritten else {
        if result.output != input { fatalError("a \(fileName) that was not rewritten changed") }
        return 0
    }
    if result.output == input { fatalError("a \(fileName) was rewritten into the same bytes") }
    let again = HostRewriter.rewrite(result.output, fileName: fileName)
    if again.output != result.output { fatalError("a second rewrite changed the \(fileName)") }
    if again.outcome == .rewritten { fatalError("a second rewrite of the \(fileName) still found writers to guard") }
    return 0
}
