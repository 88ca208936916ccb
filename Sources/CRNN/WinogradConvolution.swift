import COpenBLAS

/// 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3): each 2×2 block of outputs costs 16
/// multiplications per input channel instead of 36, done as 16 sgemms [Cout, Cin] × [Cin, tiles].
/// The CNN's 3×3 layers are most of the recogniser's arithmetic, so this is where its speed is;
/// F(2×2) keeps fp32 rounding within ~1e-6 of direct convolution (larger tiles would not).
///
/// Layouts: activations [C, H, W] row-major; transformed weights [16][Cout][Cin].
enum WinogradConvolution {
    /// Tiles per sgemm group: bounds the scratch (16·(Cin + Cout) floats per tile) whatever the
    /// line's width, while keeping each sgemm wide enough to run at full speed.
    static let tilesPerGroup = 256

    /// U = G g Gᵀ for every (output, input) pair of a folded 3×3 weight [Cout, Cin, 3, 3].
    static func transformWeights(_ weight: [Float], outChannels: Int, inChannels: Int) -> [Float] {
        precondition(weight.count == outChannels * inChannels * 9)
        var transformed = [Float](repeating: 0, count: 16 * outChannels * inChannels)
        let pairs = outChannels * inChannels
        for pair in 0..<pairs {
            let g = Array(weight[(pair * 9)..<(pair * 9 + 9)])
            // G g: 4×3, rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 over the kernel's rows.
            var left = [Float](repeating: 0, count: 12)
            for j in 0..<3 {
                let a = g[j], b = g[3 + j], c = g[6 + j]
                left[j] = a
                left[3 + j] = (a + b + c) / 2
                left[6 + j] = (a - b + c) / 2
                left[9 + j] = c
            }
            // (G g) Gᵀ: 4×4, the same combination over columns.
            for i in 0..<4 {
                let a = left[3 * i], b = left[3 * i + 1], c = left[3 * i + 2]
                let row = [a, (a + b + c) / 2, (a - b + c) / 2, c]
                for j in 0..<4 { transformed[(4 * i + j) * pairs + pair] = row[j] }
            }
        }
        return transformed
    }

    /// Scratch for one call; owned by a session and reused.
    final class Workspace {
        let padded = Scratch(), transformed = Scratch(), products = Scratch(), rows = Scratch()
    }

    /// output = pool(ReLU(conv3×3(input) + bias)), zero padding 1. With `pool` the output is
    /// [Cout, H/ph, W/pw] (floor); pools of at most 2×2 fall on whole 2×2 tiles (tiles start at
    /// even coordinates), so they are taken while the tile is in registers.
    static func convolve(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                         weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outChannels: Int,
                         pool: (height: Int, width: Int)?, output: UnsafeMutablePointer<Float>, workspace: Workspace) {
        precondition(pool.map { $0.height <= 2 && $0.width <= 2 } ?? true, "pools larger than a tile are not fused")
        let tileRows = (height + 1) / 2, tileColumns = (width + 1) / 2
        // The input with a zero border of 1 and room for whole tiles, each row stored as its even
        // padded columns then its odd ones ([C, 2·tileRows + 2, 2 × (tileColumns + 1)]), so that
        // every transform loop below reads and writes contiguously and vectorises.
        let paddedHeight = 2 * tileRows + 2, half = tileColumns + 1, paddedWidth = 2 * half
        let padded = workspace.padded.reserve(channels * paddedHeight * paddedWidth)
        padded.initialize(repeating: 0, count: channels * paddedHeight * paddedWidth)
        for c in 0..<channels {
            for y in 0..<height {
                let source = input + (c * height + y) * width
                let even = padded + (c * paddedHeight + y + 1) * paddedWidth, odd = even + half
                // Pixel x sits at padded column x + 1: odd x → even column (x + 1) / 2, even x → odd column x / 2.
                for k in 0..<(width / 2) { even[k + 1] = source[2 * k + 1] }
                for k in 0..<((width + 1) / 2) { odd[k] = source[2 * k] }
            }
        }
        let outHeight = pool.map { height / $0.height } ?? height
        let outWidth = pool.map { width / $0.width } ?? width
        let columnsPerGroup = max(1, tilesPerGroup / tileRows)
        var firstColumn = 0
        while firstColumn < tileColumns {
            let columns = min(columnsPerGroup, tileColumns - firstColumn)
            let tiles = tileRows * columns
            let transformed = workspace.transformed.reserve(16 * channels * tiles)
            let products = workspace.products.reserve(16 * outChannels * tiles)
            let rows = workspace.rows.reserve(12 * columns + 8)  // 8 rows of span (input) or 12 of columns (output)
            transformInput(padded, channels: channels, rowStride: paddedWidth, planeStride: paddedHeight * paddedWidth,
                           tileRows: tileRows, firstColumn: firstColumn, columns: columns, rows: rows, into: transformed)
            for position in 0..<16 {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(tiles), Int32(channels),
                            1, weights + position * outChannels * channels, Int32(channels),
                            transformed + position * channels * tiles, Int32(tiles),
                            0, products + position * outChannels * tiles, Int32(tiles))
            }
            transformOutput(products, outChannels: outChannels, tileRows: tileRows, firstColumn: firstColumn,
                            columns: columns, bias: bias, pool: pool, height: height, width: width,
                            outHeight: outHeight, outWidth: outWidth, rows: rows, output: output)
            firstColumn += columns
        }
    }

    /// V = Bᵀ d B for every 4×4 input tile d of a group of tile columns: [16][C][tiles], tile index
    /// ty·columns + tx. Bᵀ rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3. Two passes of plain loops: Bᵀ
    /// over rows, then B over columns, where tile tx's columns 0…3 are even[tx], odd[tx], even[tx + 1],
    /// odd[tx + 1] of the de-interleaved rows.
    private static func transformInput(_ padded: UnsafePointer<Float>, channels: Int, rowStride: Int, planeStride: Int,
                                       tileRows: Int, firstColumn: Int, columns: Int, rows: UnsafeMutablePointer<Float>,
                                       into v: UnsafeMutablePointer<Float>) {
        let tiles = tileRows * columns
        let positionStride = channels * tiles
        let half = rowStride / 2, span = columns + 1  // even (or odd) padded columns a group reads
        for c in 0..<channels {
            for ty in 0..<tileRows {
                let r0 = padded + c * planeStride + 2 * ty * rowStride + firstColumn
                let r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
                // Rows of Bᵀ d: t[k] even part at rows + 2k·span, odd part right after it.
                for odd in 0..<2 {
                    let part = odd * half
                    let t0 = rows + odd * span
                    let t1 = t0 + 2 * span, t2 = t1 + 2 * span, t3 = t2 + 2 * span
                    let d0 = r0 + part, d1 = r1 + part, d2 = r2 + part, d3 = r3 + part
                    for x in 0..<span {
                        t0[x] = d0[x] - d2[x]
                        t1[x] = d1[x] + d2[x]
                        t2[x] = d2[x] - d1[x]
                        t3[x] = d1[x] - d3[x]
                    }
                }
                let out = v + c * tiles + ty * columns
                for k in 0..<4 {
                    let even = rows + 2 * k * span, odd = even + span
                    let v0 = out + 4 * k * positionStride, v1 = v0 + positionStride
                    let v2 = v1 + positionStride, v3 = v2 + positionStride
                    for tx in 0..<columns {
                        v0[tx] = even[tx] - even[tx + 1]
                        v1[tx] = odd[tx] + even[tx + 1]
                        v2[tx] = even[tx + 1] - odd[tx]
                        v3[tx] = odd[tx] - odd[tx + 1]
                    }
                }
            }
        }
    }

    /// Y = Aᵀ m A (Aᵀ rows: m0 + m1 + m2, m1 − m2 − m3), + bias, ReLU, optional fused pool, written
    /// to the output positions inside the image. Loops run along a tile row, like the input's.
    private static func transformOutput(_ m: UnsafePointer<Float>, outChannels: Int, tileRows: Int, firstColumn: Int,
                                        columns: Int, bias: UnsafePointer<Float>, pool: (height: Int, width: Int)?,
                                        height: Int, width: Int, outHeight: Int, outWidth: Int,
                                        rows: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let tiles = tileRows * columns
        let positionStride = outChannels * tiles
        // y00, y01, y10, y11 of each tile along the row, then s0/s1 per column j.
        let y00 = rows, y01 = rows + columns, y10 = rows + 2 * columns, y11 = rows + 3 * columns
        let s = rows + 4 * columns  // 8 rows: s0[j] at s + j·columns, s1[j] at s + (4 + j)·columns
        for o in 0..<outChannels {
            let b = bias[o]
            let plane = output + o * outHeight * outWidth
            for ty in 0..<tileRows {
                let source = m + o * tiles + ty * columns
                for j in 0..<4 {
                    let m0 = source + j * positionStride, m1 = m0 + 4 * positionStride
                    let m2 = m1 + 4 * positionStride, m3 = m2 + 4 * positionStride
                    let s0 = s + j * columns, s1 = s + (4 + j) * columns
                    for tx in 0..<columns {
                        s0[tx] = m0[tx] + m1[tx] + m2[tx]
                        s1[tx] = m1[tx] - m2[tx] - m3[tx]
                    }
                }
                let a0 = s, a1 = s + columns, a2 = s + 2 * columns, a3 = s + 3 * columns
                let c0 = s + 4 * columns, c1 = s + 5 * columns, c2 = s + 6 * columns, c3 = s + 7 * columns
                for tx in 0..<columns {
                    y00[tx] = a0[tx] + a1[tx] + a2[tx] + b
                    y01[tx] = a1[tx] - a2[tx] - a3[tx] + b
                    y10[tx] = c0[tx] + c1[tx] + c2[tx] + b
                    y11[tx] = c1[tx] - c2[tx] - c3[tx] + b
                }
                store(y00, y01, y10, y11, tileRow: ty, firstColumn: firstColumn, columns: columns, pool: pool,
                      height: height, width: width, outWidth: outWidth, plane: plane)
            }
        }
    }

    /// Writes one row of tiles' 2×2 outputs, ReLU'd and pooled, clipped to the image (a pool window
    /// that reaches past it is dropped, as the floor in the pool's output size says).
    @inline(__always)
    private static func store(_ y00: UnsafePointer<Float>, _ y01: UnsafePointer<Float>, _ y10: UnsafePointer<Float>,
                              _ y11: UnsafePointer<Float>, tileRow ty: Int, firstColumn: Int, columns: Int,
                              pool: (height: Int, width: Int)?, height: Int, width: Int, outWidth: Int,
                              plane: UnsafeMutablePointer<Float>) {
        let y = 2 * ty, x0 = 2 * firstColumn
        // Tiles whose both columns lie inside the image; a last tile with one column is handled apart.
        let whole = min(columns, (width - x0) / 2)
        let hasHalfTile = whole < columns && x0 + 2 * whole < width
        switch (pool?.height ?? 1, pool?.width ?? 1) {
        case (2, 2):
            guard y + 1 < height else { return }
            let row = plane + (y / 2) * outWidth + firstColumn
            for tx in 0..<whole { row[tx] = relu(greater(greater(y00[tx], y01[tx]), greater(y10[tx], y11[tx]))) }
        case (2, 1):
            guard y + 1 < height else { return }
            let row = plane + (y / 2) * outWidth + x0
            for tx in 0..<whole {
                row[2 * tx] = relu(greater(y00[tx], y10[tx]))
                row[2 * tx + 1] = relu(greater(y01[tx], y11[tx]))
            }
            if hasHalfTile { row[2 * whole] = relu(greater(y00[whole], y10[whole])) }
        case (1, 2):
            let upper = plane + y * outWidth + firstColumn
            for tx in 0..<whole { upper[tx] = relu(greater(y00[tx], y01[tx])) }
            if y + 1 < height {
                let lower = upper + outWidth
                for tx in 0..<whole { lower[tx] = relu(greater(y10[tx], y11[tx])) }
            }
        default:
            let upper = plane + y * outWidth + x0
            for tx in 0..<whole {
                upper[2 * tx] = relu(y00[tx])
                upper[2 * tx + 1] = relu(y01[tx])
            }
            if hasHalfTile { upper[2 * whole] = relu(y00[whole]) }
            if y + 1 < height {
                let lower = upper + outWidth
                for tx in 0..<whole {
                    lower[2 * tx] = relu(y10[tx])
                    lower[2 * tx + 1] = relu(y11[tx])
                }
                if hasHalfTile { lower[2 * whole] = relu(y10[whole]) }
            }
        }
    }

    @inline(__always) private static func relu(_ x: Float) -> Float { x > 0 ? x : 0 }
}
