import crypto from 'node:crypto';

/** The interface's only stylesheet: system fonts, no images, readable contrast. */
const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;--accent:#0a58ca;--bad:#b42318;--warn:#9a6700;--ok:#1a7f37}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}header{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.5rem;border-bottom:1px solid var(--line);background:var(--panel)}
header .brand{font-weight:700;color:var(--fg);text-decoration:none}header nav{display:flex;gap:1rem;flex-wrap:wrap}header .who{margin-left:auto;display:flex;gap:.75rem;align-items:center;color:var(--muted)}
main{padding:1.25rem 1.5rem;max-width:80rem}h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem}.card{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;background:var(--bg)}
.card h2{margin:0 0 .4rem;font-size:.95rem;color:var(--muted);font-weight:600}.card dl{display:grid;grid-template-columns:1fr auto;margin:0;gap:.15rem .75rem}.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:1.6rem;font-weight:700}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}th{background:var(--panel);font-weight:600}
.sev-Critical,.bad{color:var(--bad);font-weight:600}.sev-High{color:var(--bad)}.sev-Medium{color:var(--warn)}.ok{color:var(--ok)}.muted{color:var(--muted)}
form.inline{display:inline}button,input[type=submit]{font:inherit;padding:.3rem .8rem;border:1px solid var(--line);border-radius:6px;background:var(--panel);cursor:pointer}
button.danger{color:var(--bad)}input[type=text],input[type=search],input[type=email],input[type=password],select{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px}
.notice{padding:.6rem 1rem;border-radius:6px;background:#ddf4ff;border:1px solid #54aeff;margin-bottom:1rem}.error{background:#ffebe9;border-color:#ff8182}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:.5rem 0 1rem}.actions form{display:flex;gap:.4rem;align-items:flex-end}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}.signin{max-width:26rem;margin:3rem auto}.signin fieldset{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:0 0 1rem}
.bar{display:inline-block;height:.7rem;background:var(--accent);border-radius:2px;vertical-align:middle}.w0{width:0}.w1{width:1rem}.w2{width:2rem}.w3{width:3rem}.w4{width:4rem}.w5{width:5rem}.w6{width:6rem}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;overflow-wrap:anywhere}
`;

/**
 * Progressive enhancement, and the interface's only script: a form marked `data-confirm` asks
 * before it is sent and then says so in its `confirmed` field; without the script the service
 * shows a confirmation page instead.
 */
const JS = `
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute('data-confirm');
  if (!question) return;
  if (!window.confirm(question)) { event.preventDefault(); return; }
  var field = form.querySelector('input[name="confirmed"]');
  if (field) field.value = '1';
});
`;

function asset(body: string, type: string, ext: string): { path: string; body: string; type: string } {
  const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/ui/assets/app.${hash}.${ext}`, body, type };
}

/** The tab icon: a closed gate. */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0a58ca"/><path d="M4 3v10M8 3v10M12 3v10M3 8h10" stroke="#fff" stroke-width="1.5"/></svg>`;

/** The stylesheet, the script and the icon, each at a path that changes with its content (cached for a year). */
export const ASSETS = {
  css: asset(CSS.trim(), 'text/css; charset=utf-8', 'css'),
  js: asset(JS.trim(), 'text/javascript; charset=utf-8', 'js'),
  icon: asset(ICON, 'image/svg+xml', 'svg'),
};
