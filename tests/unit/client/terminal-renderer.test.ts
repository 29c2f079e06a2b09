import { chooseTerminalRenderer } from '../../../client/src/logic/terminal-renderer';

describe('chooseTerminalRenderer', () => {
  test('a GPU draws with WebGL', () => {
    expect(chooseTerminalRenderer(true, 'ANGLE (NVIDIA, NVIDIA GeForce GTX 1650 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe('webgl');
    expect(chooseTerminalRenderer(true, 'Mesa Intel(R) UHD Graphics 620 (KBL GT2)')).toBe('webgl');
    expect(chooseTerminalRenderer(true, 'Apple M1')).toBe('webgl');
  });

  test('a GPU emulated on the CPU keeps the DOM renderer', () => {
    // What Debian's headless Chromium on the CI host reports.
    expect(chooseTerminalRenderer(true, 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('dom');
    expect(chooseTerminalRenderer(true, 'llvmpipe (LLVM 15.0.7, 256 bits)')).toBe('dom');
    expect(chooseTerminalRenderer(true, 'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe('dom');
    expect(chooseTerminalRenderer(true, 'Apple Software Renderer')).toBe('dom');
  });

  test('no WebGL 2 at all keeps the DOM renderer', () => {
    expect(chooseTerminalRenderer(false, null)).toBe('dom');
    expect(chooseTerminalRenderer(false, 'Apple M1')).toBe('dom');
  });

  test('a browser that hides the name of its renderer is taken to have a GPU', () => {
    expect(chooseTerminalRenderer(true, null)).toBe('webgl');
    expect(chooseTerminalRenderer(true, '')).toBe('webgl');
  });
});
