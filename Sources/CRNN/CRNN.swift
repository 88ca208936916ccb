// CRNN: the text-line recogniser, in our own Swift on OpenBLAS (weights/MODEL.md is the contract).
//
//     let model = try CRNNModel(directory: ModelDirectory.locate(explicit: nil)!)  // once, shared
//     let session = RecognitionSession(model: model)                             // one per worker
//     let lines: [RecognisedLine] = session.recognise(lineImages)                 // input order
//
// - CRNNModel: loads and checks the model file and charset (every failure is a CRNNError naming
//   the file and tensor), widens fp16 to fp32 and folds batch-norm once; immutable and Sendable.
// - RecognitionSession: per-worker scratch buffers reused across calls; batches lines of similar
//   width through the BiLSTM together without padding, so results do not depend on batching.
// - LineImage: 8-bit gray, 255 = paper; LinePreprocessor scales it exactly as training did.
// - RecognisedLine / RecognisedCharacter: greedy CTC text, per-character confidence and x position
//   in pixels of the line image (add the line box's x0 for page coordinates).
