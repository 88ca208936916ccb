import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds the time a client may take to *send* a request. The idle limit alone closes only a
/// connection that sends nothing for that long, so a client dribbling a byte every few seconds
/// could hold a connection forever. Here the request's head must be complete within `limit` of
/// the connection being ready for it (accepted, or the previous response sent) and its body
/// within `limit` of the head; past either the client gets 408 (when nothing was answered yet)
/// and the connection is closed. Work after the body has arrived is bounded by `--timeout`, not
/// here: a client that sends its next request before the last is answered (pipelining) gets that
/// request's allowance back only when all its requests are answered. One instance per connection,
/// on its event loop.
final class RequestReadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var timer: Scheduled<Void>?
    /// The current request's head arrived but not yet its end.
    private var readingBody = false
    /// A response has begun since the current request's head arrived (an early 413 or 503 before
    /// the body ended, or the answer to an earlier pipelined request): a 408 now would be out of turn.
    private var answered = false
    /// Requests whose head arrived and whose response has not been sent whole. Above one when the
    /// client pipelines; the server then works for the connection, and no allowance runs.
    private var unanswered = 0
    /// Set once the deadline closed the connection: later writes from the application are dropped.
    private var cutOff = false

    init(limit: TimeAmount) { self.limit = limit }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            // A fresh allowance for the body: the head's own time was bounded by the last one.
            readingBody = true
            answered = unanswered > 0
            unanswered += 1
            arm(context)
        case .body:
            break
        case .end:
            readingBody = false
            // Answered early: the next request's head is awaited from now on.
            if unanswered == 0 { arm(context) } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if cutOff {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head:
            answered = true
        case .body:
            break
        case .end:
            unanswered = max(0, unanswered - 1)
            // With every request answered the next head is awaited; an early answer leaves the body's
            // clock running, and a pipelined request still to answer leaves the clock stopped.
            if !readingBody && unanswered == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [self] in
            timer = nil
            expire(context)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, !cutOff else { return }
        cutOff = true
        guard !answered else {
            context.close(promise: nil)
            return
        }
        let seconds = Double(limit.nanoseconds) / 1e9
        let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        let body = escapeHTMLSignificant(Array(#"{"error":"the request was not received within the \#(text) s limit"}"#.utf8))
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        fields[.xContentTypeOptions] = "nosniff"
        fields[.cacheControl] = "no-store"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestReadDeadline: Sendable {}
