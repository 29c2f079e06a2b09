/**
 * Whether students can reach a join link at all: a loopback address
 * (localhost, 127.0.0.0/8, ::1) names the computer that opens it, so on a
 * student's PC it leads nowhere. Berth builds the link from BERTH_PUBLIC_URL,
 * or else from the address the instructor typed; the class page warns when
 * that is a loopback one. Returns the warning, or null when the link is fine.
 */
export function joinUrlWarning(joinUrl: string | null): string | null {
  if (!joinUrl) return null;
  let host: string;
  try {
    host = new URL(joinUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  const bare = host.replace(/^\[|\]$/g, '');
  const loopback = bare === 'localhost' || bare.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  if (!loopback) return null;
  return `Students cannot use this address: ${host} is each computer's own (loopback) address. Set BERTH_PUBLIC_URL to the address students type (for example https://berth.school.example), or open this page by that address.`;
}
