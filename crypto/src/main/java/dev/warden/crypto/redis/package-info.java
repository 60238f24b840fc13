/**
 * A minimal blocking Redis client (RESP2 over TCP or TLS) shared by the Redis-backed stores: the privacy ledger
 * and the gateway's query-attack store. Free of Netty and Vert.x, so plain libraries can use it.
 */
package dev.warden.crypto.redis;
