// The page: wires the paste areas to the engine. All text is rendered with textContent, never as HTML.
import init, { diagnose } from './pkg/token_doctor.js';
import { sampleToken } from './sample.js';

const $ = (id) => document.getElementById(id);

function render(report) {
  const verdict = $('verdict');
  verdict.dataset.verdict = report.verdict;
  verdict.textContent = report.summary;
  const list = $('findings');
  list.replaceChildren(...report.findings.map((f) => {
    const li = document.createElement('li');
    li.dataset.code = f.code;
    li.dataset.severity = f.severity;
    const title = document.createElement('strong');
    title.textContent = `${f.title} `;
    const code = document.createElement('code');
    code.textContent = f.code;
    const detail = document.createElement('p');
    detail.textContent = f.detail;
    li.append(title, code, detail);
    return li;
  }));
  $('header').textContent = report.token?.header ? JSON.stringify(report.token.header, null, 2) : '';
  $('payload').textContent = report.token?.payload ? JSON.stringify(report.token.payload, null, 2) : '';
}

function run() {
  render(diagnose({ input: $('input').value, operation: $('operation').value, response: $('response').value }));
}

await init();
$('input').value = sampleToken(Math.floor(Date.now() / 1000));
$('operation').value = 'POST https://graph.microsoft.com/v1.0/me/sendMail';
for (const id of ['input', 'operation', 'response']) $(id).addEventListener('input', run);
run();
