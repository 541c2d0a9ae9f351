import { describe, expect, it } from "vitest";
import { InvalidImageError } from "./errors";
import { assertRawImage, cloneRawImage, createRawImage } from "./raw-image";

describe("createRawImage / assertRawImage", () => {
  it("allocates zeroed HWC buffers and defaults to 3 channels", () => {
    const img = createRawImage({ width: 4, height: 2 });
    expect(img.channels).toBe(3);
    expect(img.data.length).toBe(24);
    expect(img.data.every((v) => v === 0)).toBe(true);
  });
  it("shares given data and clone copies it", () => {
    const data = new Uint8Array(8);
    const img = createRawImage({ width: 2, height: 1, channels: 4, data });
    expect(img.data).toBe(data);
    const copy = cloneRawImage(img);
    copy.data[0] = 9;
    expect(data[0]).toBe(0);
  });
  it("names the bad field and value", () => {
    expect(() => createRawImage({ width: 0, height: 2 })).toThrow(/width: got 0/);
    expect(() => createRawImage({ width: 2, height: 2, channels: 2 as never })).toThrow(
      /channels: got 2/,
    );
    expect(() => createRawImage({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(
      InvalidImageError,
    );
    expect(() =>
      assertRawImage({ data: [1, 2, 3] as never, width: 1, height: 1, channels: 3 }),
    ).toThrow(/data must be a Uint8Array/);
  });
});
