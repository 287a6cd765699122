// An uploaded status-page logo (decision 063): a data URL or raw bytes, accepted only when its
// first bytes are those of a PNG, JPEG, GIF or WebP image (the type is taken from the bytes, never
// from what the client says; SVG is refused: it can carry script), at most 256 KB.
import { ValidationError } from "../errors.server";

export const MAX_LOGO_BYTES = 256 * 1024;

export function sniffImage(b: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return "image/webp";
  return null;
}

export function parseLogo(input: string | Uint8Array): { bytes: Uint8Array<ArrayBuffer>; type: string } {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof input === "string") {
    const m = /^data:[a-z/+.-]*;base64,([A-Za-z0-9+/=\s]+)$/i.exec(input.trim());
    if (!m) throw new ValidationError("The logo is not an image.", { logo: "Upload a PNG, JPEG, GIF or WebP image (as a base64 data: URL in the API)." });
    bytes = new Uint8Array(Buffer.from(m[1]!, "base64"));
  } else bytes = new Uint8Array(input);
  if (bytes.byteLength > MAX_LOGO_BYTES) throw new ValidationError("The logo is larger than 256 KB.", { logo: "Use an image of at most 256 KB." });
  const type = sniffImage(bytes);
  if (!type) throw new ValidationError("The logo is not a PNG, JPEG, GIF or WebP image.", { logo: "Upload a PNG, JPEG, GIF or WebP image (SVG is not accepted)." });
  return { bytes, type };
}
