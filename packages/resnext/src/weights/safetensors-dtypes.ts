import type { StateDtype } from "./state-dict";

/** safetensors' dtype names, by state-dict dtype. Internal. */
export const TO_SAFETENSORS: Readonly<Record<StateDtype, string>> = {
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
  float64: "F64",
  int64: "I64",
  int32: "I32",
  int16: "I16",
  int8: "I8",
  uint8: "U8",
  bool: "BOOL",
};

/** State-dict dtypes, by safetensors' dtype name. Internal. */
export const FROM_SAFETENSORS: Readonly<Record<string, StateDtype>> = Object.fromEntries(
  Object.entries(TO_SAFETENSORS).map(([k, v]) => [v, k as StateDtype]),
);
