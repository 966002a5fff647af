/**
 * Decoding of every `embedding_type` Jina returns.
 *
 * - `float`: JSON numbers.
 * - `base64`: little-endian float32 bytes.
 * - `binary`: one bit per dimension (1 when the value is > 0), packed 8 per byte, most significant
 *   bit first (numpy packbits), sent as int8. Default reading "offset128": int8 = uint8 - 128
 *   (sentence-transformers' quantize_embeddings); "twosComplement" reads the int8 as the same byte.
 * - `ubinary`: the same bits as uint8.
 *
 * Decoded numbers for binary and ubinary are +1 (bit set) and -1 (bit clear): the dot product of two
 * such vectors is dims - 2 x Hamming distance, so cosine similarity works unchanged. Ask for packed
 * bytes instead to store 1 bit per dimension (binary/ubinary -> packbits uint8; float/base64 ->
 * float32 little-endian bytes).
 */
export const EMBEDDING_TYPES = ["float", "base64", "binary", "ubinary"] as const;
export type EmbeddingType = (typeof EMBEDDING_TYPES)[number];
export type BinaryInt8Encoding = "offset128" | "twosComplement";

export type WireVector = number[] | string;

function base64Bytes(value: string): Uint8Array {
  const buffer = Buffer.from(value, "base64");
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 values from little-endian bytes (copied: lmdb and Buffer pools are not 4-byte aligned). */
export function floatsFromBytes(bytes: Uint8Array): Float32Array {
  const usable = bytes.byteLength - (bytes.byteLength % 4);
  // Fast path: one aligned copy, read natively.
  // (Buffer#slice is a view, not a copy: copy explicitly.)
  if (LITTLE_ENDIAN) {
    const copy = new Uint8Array(usable);
    copy.set(bytes.subarray(0, usable));
    return new Float32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function bytesFromFloats(values: ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN) {
    const floats = values instanceof Float32Array ? values.slice() : Float32Array.from(values);
    return new Uint8Array(floats.buffer);
  }
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** The packed bytes of one vector: float32 LE for float/base64, packbits uint8 for binary/ubinary. */
export function packedBytes(value: WireVector, type: EmbeddingType, binaryInt8: BinaryInt8Encoding = "offset128"): Uint8Array {
  // Tolerant of servers that ignore embedding_type: the JSON type says how float data came.
  if (typeof value === "string") return base64Bytes(value);
  if (type === "float" || type === "base64") return bytesFromFloats(value);
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i]!;
    if (!Number.isInteger(v)) throw new TypeError(`${type} embedding byte ${i} is not an integer`);
    if (type === "ubinary") {
      if (v < 0 || v > 255) throw new TypeError(`ubinary byte ${i} out of range: ${v}`);
      out[i] = v;
    } else {
      if (v < -128 || v > 127) throw new TypeError(`binary byte ${i} out of range: ${v}`);
      out[i] = binaryInt8 === "offset128" ? v + 128 : v & 0xff;
    }
  }
  return out;
}

/** +1 / -1 per bit, most significant bit first. */
export function unpackBits(bytes: Uint8Array, length = bytes.length * 8): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = bytes[i >> 3]! & (0x80 >> (i & 7)) ? 1 : -1;
  return out;
}

/** Numbers of one vector, whatever its wire type. */
export function decodeVector(value: WireVector, type: EmbeddingType, binaryInt8: BinaryInt8Encoding = "offset128"): Float32Array {
  if (type === "float" || type === "base64") {
    if (typeof value === "string") return floatsFromBytes(base64Bytes(value));
    const out = new Float32Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = value[i]!;
    return out;
  }
  return unpackBits(packedBytes(value, type, binaryInt8));
}

/** Number of values a decoded vector has for `dims` dimensions (bits are padded to whole bytes). */
export function decodedLength(dims: number, type: EmbeddingType): number {
  return type === "binary" || type === "ubinary" ? Math.ceil(dims / 8) * 8 : dims;
}

/** Number of packed bytes for `dims` dimensions. */
export function packedLength(dims: number, type: EmbeddingType): number {
  return type === "binary" || type === "ubinary" ? Math.ceil(dims / 8) : dims * 4;
}
