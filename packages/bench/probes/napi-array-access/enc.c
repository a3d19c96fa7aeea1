/*
 * Probe (docs/streams.md, "The floor"): what a native encoder of the produce row would pay to reach the
 * records of one append through Node-API, where the library's callers hold them (arrays of 1,000 key Buffers
 * and 1,000 value Buffers). `access` only looks each Buffer up; `encode` also copies the keys and values into
 * one buffer at record strides and takes the CRC-32C of it with the SSE4.2 instruction, inlined.
 */
#include <node_api.h>
#include <nmmintrin.h>
#include <stdint.h>
#include <string.h>

/* Element i of a JS array of Buffers: its bytes and length (the look-up whose cost the probe measures). */
static void element(napi_env env, napi_value array, uint32_t i, void **data, size_t *len) {
  napi_value v;
  napi_get_element(env, array, i, &v);
  napi_get_buffer_info(env, v, data, len);
}

static napi_value Encode(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *out;
  size_t outLen;
  napi_get_buffer_info(env, argv[0], (void **)&out, &outLen);
  uint32_t n;
  napi_get_array_length(env, argv[1], &n);
  size_t p = 61;
  for (uint32_t i = 0; i < n; i++) {
    void *kd, *vd;
    size_t kl, vl;
    element(env, argv[1], i, &kd, &kl);
    element(env, argv[2], i, &vd, &vl);
    p += 8;
    memcpy(out + p, kd, kl);
    p += kl + 2;
    memcpy(out + p, vd, vl);
    p += vl + 14;
  }
  uint64_t c = 0xffffffff;
  size_t i = 21;
  for (; i + 8 <= p; i += 8) {
    uint64_t w;
    memcpy(&w, out + i, 8);
    c = _mm_crc32_u64(c, w);
  }
  for (; i < p; i++) c = _mm_crc32_u8((uint32_t)c, out[i]);
  uint32_t crc = ~(uint32_t)c;
  memcpy(out + 17, &crc, 4);
  napi_value r;
  napi_create_uint32(env, (uint32_t)p, &r);
  return r;
}

static napi_value Access(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t n;
  napi_get_array_length(env, argv[1], &n);
  size_t s = 0;
  for (uint32_t i = 0; i < n; i++) {
    void *kd, *vd;
    size_t kl, vl;
    element(env, argv[1], i, &kd, &kl);
    element(env, argv[2], i, &vd, &vl);
    s += kl + vl;
  }
  napi_value r;
  napi_create_uint32(env, (uint32_t)s, &r);
  return r;
}

NAPI_MODULE_INIT() {
  napi_value f, g;
  napi_create_function(env, "encode", NAPI_AUTO_LENGTH, Encode, NULL, &f);
  napi_create_function(env, "access", NAPI_AUTO_LENGTH, Access, NULL, &g);
  napi_set_named_property(env, exports, "encode", f);
  napi_set_named_property(env, exports, "access", g);
  return exports;
}
