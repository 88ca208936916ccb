import Testing
@testable import LineSegmentation
