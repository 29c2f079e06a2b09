import fs from 'node:fs';
import path from 'node:path';
import { renderMarkdown, substituteVariables, type LabVariables } from '../../../server/labs/render';
import { parseLab } from '../../../server/labs/parse';

describe('sanitising lab Markdown', () => {
  test('script tags and their content are gone', () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> world\n\n<script>\nfetch("/x")\n</script>\n');
    expect(html).not.toMatch(/script/i);
    expect(html).not.toContain('alert');
    expect(html).toContain('Hello');
  });

  test('event handler attributes are gone', () => {
    const html = renderMarkdown('<img src="https://example.com/x.png" onerror="alert(1)"> <a href="https://e.com" onclick="x()">a</a> <div onmouseover="y()">d</div>');
    expect(html).not.toMatch(/on(error|click|mouseover)/i);
    expect(html).toContain('<img src="https://example.com/x.png" />');
  });

  test('javascript: and data: links are gone, whatever their spelling', () => {
    const html = renderMarkdown(
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) <a href="java&#x09;script:alert(1)">c</a> <a href=" javascript:x">d</a> [e](data:text/html,<script>x</script>)',
    );
    expect(html).not.toMatch(/javascript/i);
    expect(html).not.toMatch(/data:/i);
  });

  test('iframes, forms, style attributes and style tags are gone', () => {
    const html = renderMarkdown('<iframe src="https://evil"></iframe><form action="/x"><input name="q"><button>go</button></form><p style="color:red">t</p><style>body{}</style>');
    expect(html).not.toMatch(/iframe|form|input|button|style/i);
    expect(html).toContain('<p>t</p>');
  });

  test('only the block attribute survives on divs', () => {
    const html = renderMarkdown('<div data-berth-block="x" data-other="y" class="c" id="i">t</div>');
    expect(html).toBe('<div data-berth-block="x">t</div>');
  });

  test('ordinary code keeps its language class; other classes go', () => {
    expect(renderMarkdown('```bash\necho <hi>\n```\n')).toBe('<pre><code class="language-bash">echo &lt;hi&gt;\n</code></pre>\n');
    expect(renderMarkdown('<code class="evil language-x">t</code>')).toBe('<p><code class="language-x">t</code></p>\n');
  });

  test('outside links open beside the lab', () => {
    expect(renderMarkdown('[docs](https://docs.docker.com)')).toBe(
      '<p><a href="https://docs.docker.com" target="_blank" rel="noopener noreferrer">docs</a></p>\n',
    );
  });

  test('variables survive rendering, including inside link targets', () => {
    expect(renderMarkdown('Hi {{student}}, open [it]({{url:web:8080}}).')).toBe('<p>Hi {{student}}, open <a href="{{url:web:8080}}">it</a>.</p>\n');
  });

  test('a variable other than a Berth URL cannot lead a link', () => {
    expect(renderMarkdown('[x]({{student}})')).toBe('<p><a>x</a></p>\n');
  });

  test('Go templates are left alone', () => {
    expect(renderMarkdown("`docker ps --format '{{.Names}}'`")).toContain('{{.Names}}');
  });

  test('lab bodies are sanitised too, and directive blocks become placeholders', () => {
    const { lab } = parseLab(
      '---\nid: x\ntitle: X\nsummary: S.\n---\n\n## Step\n\n<script>alert(1)</script>\n\n```run\necho "<b>"\n```\n\n```copy\nsecret <i>\n```\n',
      '/tmp/x/lab.md',
    );
    expect(lab?.steps[0].html).toBe('<div data-berth-block="step.run-1"></div>\n<div data-berth-block="step.copy-1"></div>\n');
    expect(lab?.steps[0].blocks).toEqual([
      { kind: 'run', id: 'step.run-1', machine: 'docker', command: 'echo "<b>"', mode: 'run' },
      { kind: 'copy', id: 'step.copy-1', text: 'secret <i>' },
    ]);
  });
});

describe('substituteVariables', () => {
  const vars: LabVariables = {
    student: '<img src=x onerror=alert(1)> & "Ann"',
    machines: ['docker', 'web'],
    hostnames: { web: 'web.s1' },
    urlFor: (machine, port) => `/s/abc/${machine}/${port}/?a=1&b=2`,
  };

  test('escapes values in HTML', () => {
    expect(substituteVariables('<p>Hi {{student}}</p><a href="{{url:web:80}}">w</a> {{machine:web}}', vars, 'html')).toBe(
      '<p>Hi &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Ann&quot;</p><a href="/s/abc/web/80/?a=1&amp;b=2">w</a> web.s1',
    );
  });

  test('puts values in as they are for terminal text', () => {
    expect(substituteVariables('curl {{url:docker:8080}} # {{student}} on {{machine:docker}}', vars)).toBe(
      'curl /s/abc/docker/8080/?a=1&b=2 # <img src=x onerror=alert(1)> & "Ann" on docker',
    );
  });

  test('leaves unknown machines, bad ports and Go templates as written', () => {
    expect(substituteVariables("{{machine:db}} {{url:web:99999}} {{.Names}} {{ student }}", vars)).toBe(
      '{{machine:db}} {{url:web:99999}} {{.Names}} <img src=x onerror=alert(1)> & "Ann"',
    );
  });
});

describe('the instructor guide', () => {
  test('its complete example is the valid fixture lab, so the example is known to load', () => {
    const root = path.join(__dirname, '../../..');
    const guide = fs.readFileSync(path.join(root, 'docs/lab-format.md'), 'utf8');
    const example = /`````markdown\n([\s\S]*?)\n`````/.exec(guide)?.[1];
    expect(`${example}\n`).toBe(fs.readFileSync(path.join(root, 'tests/fixtures/labs-valid/hello-nginx/lab.md'), 'utf8'));
  });
});
