import Testing
@testable import CRNN
