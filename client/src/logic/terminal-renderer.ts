/**
 * Which renderer a terminal draws with. xterm's WebGL renderer is the fast one
 * on a graphics card; on a CPU-emulated one (SwiftShader, llvmpipe, a VM or a
 * thin client without a GPU, headless Chromium) it is the slow one: measured in
 * Chromium with SwiftShader, setting it up held the page for ~300 ms right after
 * the first output, so the prompt of a lab appeared that much later (issue 13).
 * Such a browser keeps xterm's DOM renderer.
 */
export type TerminalRenderer = 'webgl' | 'dom';

/** Renderer names (WebGL's UNMASKED_RENDERER, or RENDERER) of GPUs emulated in software. */
const SOFTWARE_GL = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|mesa offscreen/i;

/**
 * `webgl2`: whether the browser gave a WebGL 2 context at all. `rendererName`:
 * what that context calls its renderer, null when it does not say (a browser
 * that hides the name is taken to have a real GPU, as most that hide it do).
 */
export function chooseTerminalRenderer(webgl2: boolean, rendererName: string | null): TerminalRenderer {
  if (!webgl2) return 'dom';
  return rendererName && SOFTWARE_GL.test(rendererName) ? 'dom' : 'webgl';
}
