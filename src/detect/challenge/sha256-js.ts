/**
 * A small SHA-256 in plain JavaScript for the challenge page, so that proof of work runs on plain
 * HTTP too (WebCrypto's subtle.digest exists only in secure contexts). Input: an ASCII string.
 * Output: the number of leading zero bits of the digest, which is all the search needs.
 */
export const SHA256_ZERO_BITS_JS = `
function shieldZeroBits(s){
  var K=[0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  var n=s.length, words=((n+8)>>6)+1, W=new Array(words*16).fill(0), i;
  for(i=0;i<n;i++) W[i>>2]|=(s.charCodeAt(i)&255)<<(24-(i&3)*8);
  W[n>>2]|=0x80<<(24-(n&3)*8); W[words*16-1]=n*8;
  var H=[0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19], w=new Array(64);
  for(var b=0;b<words*16;b+=16){
    for(i=0;i<16;i++) w[i]=W[b+i]|0;
    for(i=16;i<64;i++){var x=w[i-15],y=w[i-2];
      w[i]=(((x>>>7|x<<25)^(x>>>18|x<<14)^(x>>>3))+w[i-16]+((y>>>17|y<<15)^(y>>>19|y<<13)^(y>>>10))+w[i-7])|0;}
    var a=H[0],c=H[1],d=H[2],e=H[3],f=H[4],g=H[5],h=H[6],k=H[7];
    for(i=0;i<64;i++){
      var t1=(k+((f>>>6|f<<26)^(f>>>11|f<<21)^(f>>>25|f<<7))+((f&g)^(~f&h))+K[i]+w[i])|0;
      var t2=(((a>>>2|a<<30)^(a>>>13|a<<19)^(a>>>22|a<<10))+((a&c)^(a&d)^(c&d)))|0;
      k=h;h=g;g=f;f=(e+t1)|0;e=d;d=c;c=a;a=(t1+t2)|0;}
    H[0]=(H[0]+a)|0;H[1]=(H[1]+c)|0;H[2]=(H[2]+d)|0;H[3]=(H[3]+e)|0;H[4]=(H[4]+f)|0;H[5]=(H[5]+g)|0;H[6]=(H[6]+h)|0;H[7]=(H[7]+k)|0;}
  var bits=0;
  for(i=0;i<8;i++){ if(H[i]===0){bits+=32;continue;} bits+=Math.clz32(H[i]); break; }
  return bits;
}`;
