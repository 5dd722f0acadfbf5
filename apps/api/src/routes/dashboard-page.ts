/**
 * The ingest page served at /ui: one self-contained HTML document (no build step, no CDN, works
 * offline) that polls GET /api/dashboard. Every value from the server is written with
 * textContent: paths are user input and must never become markup.
 */
// a backslash at the end of a line continues it: the page's text is as if the two were one line
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice · ingest</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2733; background: #f5f7fa; }
  body { margin: 0; padding: 1.2rem 2rem; }
  header { display: flex; align-items: baseline; gap: 1.5rem; }
  h1 { margin: 0; font-size: 1.4rem; }
  header a { color: #3563c9; font-size: .9rem; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; margin: 1rem 0; }
  .tile { background: #fff; border-radius: .5rem; padding: .7rem 1rem; box-shadow: 0 1px 2px #0002; }
  .tile .label { font-size: .75rem; text-transform: uppercase; color: #66788a; }
  .tile .value { font-size: 1.6rem; font-variant-numeric: tabular-nums; }
  section { background: #fff; border-radius: .5rem; padding: .8rem 1rem; margin-bottom: 1rem; \
box-shadow: 0 1px 2px #0002; }
  h2 { font-size: 1rem; margin: 0 0 .5rem; }
  table { width: 100%; border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e4e8ee; }
  tbody tr.job { cursor: pointer; }
  tbody tr.job:hover { background: #eef3fb; }
  .state-completed { color: #1f7a3d; } .state-failed { color: #b3261e; } .state-active { color: #3563c9; } \
.state-partial { color: #a05a00; }
  .error { color: #b3261e; }
  #status { font-size: .8rem; color: #66788a; }
  #auth { display: none; margin: 1rem 0; }
  .legend { font-size: .75rem; font-weight: normal; margin-left: .8rem; }
  .legend.files { color: #1f7a3d; } .legend.bytes { color: #3563c9; }
</style>
</head>
<body>
<header>
  <h1>sluice · ingest</h1>
  <a href="/admin/queues">queues</a>
  <a href="/swagger-ui/">API</a>
  <span id="status" data-testid="status">connecting…</span>
</header>
<form id="auth"><label>Bearer token (admin): <input id="token" \
type="password" autocomplete="off"></label> <button>use</button></form>
<div class="tiles">
  <div class="tile"><div class="label">files / s</div><div class="value" data-testid="files-rate">–</div></div>
  <div class="tile"><div class="label">MiB / s</div><div class="value" data-testid="bytes-rate">–</div></div>
  <div class="tile"><div class="label">files ingested</div><div class="value" data-testid="files-total">–</div></div>
  <div class="tile"><div class="label">commits</div><div class="value" data-testid="commits-total">–</div></div>
  <div class="tile"><div class="label">jobs queued</div><div class="value" data-testid="queue-waiting">–</div></div>
  <div class="tile"><div class="label">jobs active</div><div class="value" data-testid="queue-active">–</div></div>
  <div class="tile"><div class="label">jobs completed</div>\
<div class="value" data-testid="queue-completed">–</div></div>
  <div class="tile"><div class="label">failed jobs</div><div class="value" data-testid="queue-failed">–</div></div>
  <div class="tile"><div class="label">failed files</div><div class="value" data-testid="files-failed">–</div></div>
  <div class="tile"><div class="label">workers</div><div class="value" data-testid="workers">–</div></div>
</div>
<section>
  <h2>Ingest rate, the last five minutes <span class="legend files">files / s</span> \
<span class="legend bytes">MiB / s</span></h2>
  <svg data-testid="chart" width="100%" height="150" viewBox="0 0 640 150" font-size="11" fill="#66788a">
    <line x1="50" y1="10" x2="50" y2="120" stroke="#9aa7b4"/>
    <line x1="50" y1="120" x2="630" y2="120" stroke="#9aa7b4"/>
    <line x1="50" y1="10" x2="630" y2="10" stroke="#e4e8ee"/>
    <text x="46" y="14" text-anchor="end" data-testid="axis-files-max" fill="#1f7a3d">0</text>
    <text x="46" y="28" text-anchor="end" data-testid="axis-bytes-max" fill="#3563c9">0</text>
    <text x="46" y="123" text-anchor="end">0</text>
    <text x="50" y="138" text-anchor="middle" data-testid="axis-start">−5 min</text>
    <text x="340" y="138" text-anchor="middle">−2.5 min</text>
    <text x="630" y="138" text-anchor="end">now</text>
    <polyline id="spark-files" fill="none" stroke="#1f7a3d" stroke-width="1.5" points=""/>
    <polyline id="spark-bytes" fill="none" stroke="#3563c9" stroke-width="1.5" points=""/>
  </svg>
</section>
<section>
  <h2>Recent jobs <button id="newer" data-testid="newer">newer</button> <span data-testid="page">page 1</span> \
<button id="older" data-testid="older">older</button></h2>
  <table><thead><tr><th>job</th><th>state</th><th>workspace</th><th>files</th><th>staged</th>\
<th>deduplicated</th><th>failed</th><th>first error or commit</th></tr></thead>
  <tbody data-testid="jobs"></tbody></table>
</section>
<section>
  <h2>Job <span data-testid="job-id"></span></h2>
  <table><thead><tr><th>path</th><th>status</th><th>size</th><th>hash or error</th></tr></thead>
  <tbody data-testid="job-files"><tr><td colspan="4">click a job to see its files</td></tr></tbody></table>
</section>
<section>
  <h2>Workspaces</h2>
  <table><thead><tr><th>repository</th><th>workspace</th><th>staged files</th><th>staged bytes</th></tr></thead>
  <tbody data-testid="workspaces"></tbody></table>
</section>
<script>
(() => {
  const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
  let token = sessionStorage.getItem('sluice-token') || '';
  let selected = null;

  const get = async (path) => {
    const response = await fetch(path, { headers: token ? { authorization: 'Bearer ' + token } : {} });
    if (response.status === 401 || response.status === 403) {
      document.getElementById('auth').style.display = 'block';
      throw new Error('this page needs a token with the admin scope');
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body.status_description || response.statusText);
    return body;
  };
  const row = (cells, className) => {
    const tr = document.createElement('tr');
    if (className) tr.className = className;
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell && typeof cell === 'object') { td.textContent = cell.text; td.className = cell.className || ''; }
      else td.textContent = cell === null || cell === undefined ? '–' : String(cell);
      tr.appendChild(td);
    }
    return tr;
  };
  const fill = (body, rows) => body.replaceChildren(...rows);
  const mib = (bytes) => (bytes / 1048576).toFixed(1);
  // bytes as a person reads them: 94099896 is 89.7 MiB
  const human = (bytes) => {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
  };
  // a job that completed with files that failed is not the green "completed" of a clean one
  const stateOf = (job) => job.state === 'completed' && job.failed > 0
    ? { text: 'completed, ' + job.failed + ' file' + (job.failed === 1 ? '' : 's') + ' failed', \
className: 'state-partial' }
    : { text: job.state, className: 'state-' + job.state };

  async function showJob(id) {
    selected = id;
    $('job-id').textContent = id;
    const { job } = await get('/api/jobs/' + encodeURIComponent(id));
    const files = job.files || [];
    fill($('job-files'), files.length === 0
      ? [row([job.state === 'completed' ? 'no files' : 'the job is ' + job.state, '', '', ''])]
      : files.slice(0, 500).map((f) => f.error
        ? row([f.path, { text: f.error.code, className: 'error' }, null, { text: f.error.message, className: 'error' }])
        : row([f.path, f.status, f.size, f.hash])));
  }

  // the server's rates of the last five minutes (it keeps them: a page opened late sees them all),
  // drawn against time, each line scaled to its own maximum, which the axis names
  const span = 5 * 60 * 1000;
  const round = (value) => value >= 10 ? value.toFixed(0) : value.toFixed(1);
  const draw = (id, axis, samples, now, value, unit) => {
    const max = Math.max(...samples.map(value), 0);
    const scale = max > 0 ? max : 1;
    document.getElementById(id).setAttribute('points', samples.map((s) => {
      const x = 50 + Math.max(0, 1 - (now - s.time) / span) * 580;
      return x.toFixed(1) + ',' + (120 - (value(s) / scale) * 110).toFixed(1);
    }).join(' '));
    $(axis).textContent = round(max) + ' ' + unit;
  };
  let page = 1;
  document.getElementById('newer').addEventListener('click', () => { \
page = Math.max(1, page - 1); refresh().catch(report); });
  document.getElementById('older').addEventListener('click', () => { page += 1; refresh().catch(report); });

  async function refresh() {
    const data = await get('/api/dashboard?page=' + page);
    $('page').textContent = 'page ' + data.page;
    document.getElementById('older').disabled = !data.more_jobs;
    document.getElementById('newer').disabled = data.page === 1;
    const latest = data.history[data.history.length - 1];
    if (latest) {
      $('files-rate').textContent = latest.files_per_second.toFixed(1);
      $('bytes-rate').textContent = mib(latest.bytes_per_second);
    }
    draw('spark-files', 'axis-files-max', data.history, data.time, (s) => s.files_per_second, 'files/s');
    draw('spark-bytes', 'axis-bytes-max', data.history, data.time, (s) => s.bytes_per_second / 1048576, 'MiB/s');
    // both queues: ingest and commit jobs
    const jobs = (state) => (data.queues.ingest[state] || 0) + (data.queues.commit[state] || 0);
    $('files-total').textContent = data.totals.files;
    $('commits-total').textContent = data.totals.commits;
    $('queue-waiting').textContent = jobs('waiting') + jobs('delayed');
    $('queue-active').textContent = jobs('active');
    $('queue-completed').textContent = jobs('completed');
    $('queue-failed').textContent = jobs('failed');
    $('files-failed').textContent = data.totals.failed;
    $('workers').textContent = data.workers;
    fill($('jobs'), data.recent_jobs.map((job) => {
      const tr = row([
        job.id,
        stateOf(job),
        job.namespace + '/' + job.repo_name + ' · ' + job.workspace_id,
        job.kind === 'commit' ? 'commit → ' + job.branch : job.files_done + ' / ' + job.files_total,
        job.kind === 'commit' ? '' : job.staged, job.kind === 'commit' ? '' : job.deduplicated, \
job.kind === 'commit' ? '' : job.failed,
        job.errors.length > 0 ? { text: job.errors[0].path + ': ' + job.errors[0].code, className: 'error' }
          : job.commit_id ? 'commit ' + job.commit_id : (job.failed_reason || ''),
      ], 'job');
      tr.dataset.job = job.id;
      tr.addEventListener('click', () => showJob(job.id).catch(report));
      return tr;
    }));
    fill($('workspaces'), data.workspaces.map((w) => row([w.namespace + '/' + w.repo_name, w.workspace_id, \
w.staged_files, human(w.staged_bytes)])));
    $('status').textContent = 'updated ' + new Date(data.time).toLocaleTimeString();
    if (selected) await showJob(selected);
  }
  const report = (error) => { $('status').textContent = String(error.message || error); };
  document.getElementById('auth').addEventListener('submit', (event) => {
    event.preventDefault();
    token = document.getElementById('token').value.trim();
    sessionStorage.setItem('sluice-token', token);
    document.getElementById('auth').style.display = 'none';
  });
  const loop = () => refresh().catch(report).finally(() => setTimeout(loop, 2000));
  loop();
})();
</script>
</body>
</html>
`;
