/**
 * Demo backends that {@code warden demo}, the tests and the proxy benchmark put behind the gateway.
 *
 * <ul>
 *   <li>{@link dev.warden.gateway.demo.backends.DemoModelServer}: a real model server. It runs ONNX models
 *       with ONNX Runtime and speaks the Open Inference Protocol v2 REST API (JSON and binary tensors) and
 *       the TensorFlow-Serving {@code :predict} API.
 *   <li>{@link dev.warden.gateway.demo.backends.DemoChatServer}: a deterministic <em>test double</em> of an
 *       OpenAI-compatible chat backend (model {@code demo-chat}), streaming and non-streaming.
 * </ul>
 *
 * <p>Both start with {@code start(vertx, host, port, ...)} returning a {@code Future} of the running
 * server, report {@code actualPort()} (port 0 picks a free one) and stop with {@code close()}.
 *
 * <h2>Security guarantees</h2>
 * None beyond bounded request bodies and input validation: these servers have no authentication and no
 * TLS, and are meant to listen on loopback behind the gateway. The chat server runs no model at all.
 */
package dev.warden.gateway.demo.backends;
