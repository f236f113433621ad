import { SHA256_ZERO_BITS_JS } from './sha256-js.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageInput { token: string; difficulty: number; returnPath: string; noJsDelaySec: number }

/**
 * The interstitial: a script searches a nonce whose SHA-256 with the token has `difficulty`
 * leading zero bits and goes to the verify endpoint, which sets the pass cookie and redirects
 * back. Without JavaScript, a refresh after `noJsDelaySec` to the wait endpoint lets a patient
 * visitor through.
 */
export function renderChallengePage(p: PageInput): string {
  const q = `c=${encodeURIComponent(p.token)}&r=${encodeURIComponent(p.returnPath)}`;
  const waitUrl = `/_shield/challenge/wait?${q}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>Checking your browser</title>
<noscript><meta http-equiv="refresh" content="${p.noJsDelaySec};url=${esc(waitUrl)}"></noscript>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:15vh auto;padding:0 1em;color:#222}</style>
</head><body>
<h1>Checking your browser</h1>
<p id="status">This site checks that its visitors are people before it lets them through. Your browser is doing a short calculation to show it; you will continue in a moment.</p>
<noscript><p>JavaScript is off: you will continue automatically in ${p.noJsDelaySec} seconds, or follow <a href="${esc(waitUrl)}">this link</a> then.</p></noscript>
<script>
${SHA256_ZERO_BITS_JS}
(function(){
  var token=${JSON.stringify(p.token)}, bits=${p.difficulty}, ret=${JSON.stringify(p.returnPath)}, n=0;
  function step(){
    var end=Date.now()+50;
    while(Date.now()<end){
      for(var i=0;i<500;i++,n++){
        if(shieldZeroBits(token+':'+n)>=bits){
          location.replace('/_shield/challenge/verify?c='+encodeURIComponent(token)+'&n='+n+'&r='+encodeURIComponent(ret));
          return;
        }
      }
    }
    setTimeout(step,0);
  }
  step();
})();
</script>
</body></html>
`;
}

export function renderWaitPage(token: string, returnPath: string, leftSec: number): string {
  const url = `/_shield/challenge/wait?c=${encodeURIComponent(token)}&r=${encodeURIComponent(returnPath)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${leftSec};url=${esc(url)}"><title>Please wait</title></head>
<body><p>Please wait ${leftSec} more seconds; this page continues by itself, or follow <a href="${esc(url)}">this link</a> then.</p></body></html>
`;
}
