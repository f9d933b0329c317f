#!/usr/bin/env python3
# contrib/ratios-from-oneapi.py MODEL_GO [OUTDIR]: regenerate the default price tables of
# fcgi/options.c (options_default_model_ratio / _completion_ratio) from One API's
# relay/billing/ratio/model.go. Writes model.txt and completion.txt (C string lines) to OUTDIR;
# paste them into fcgi/options.c (drop the last line's comma). The prices are facts taken
# from One API, not its code.
# Convert One API's relay/billing/ratio/model.go ModelRatio/CompletionRatio
# literals to JSON object members, sorted as Go's json.Marshal sorts them.
# Go untyped-constant arithmetic: exact; int/int truncates (RMB = 500/7 = 71).
import os, re, sys, math
from fractions import Fraction
src = open(sys.argv[1], encoding='utf-8').read().split('\n')
outdir = sys.argv[2] if len(sys.argv) > 2 else '.'
USD = Fraction(500); RMB = Fraction(500 // 7); MILLI = Fraction(1, 1000) * USD
def ev(expr):
    toks = re.findall(r'-?[0-9]+\.?[0-9]*|[*/]|[A-Z_]+', expr)
    def val(t):
        if t == 'USD': return (USD, 'i')
        if t == 'RMB': return (RMB, 'i')
        if t == 'MILLI_USD': return (MILLI, 'f')
        return (Fraction(t), 'f' if '.' in t else 'i')
    acc, kind = val(toks[0]); i = 1
    while i < len(toks):
        op = toks[i]; v, k = val(toks[i+1]); i += 2
        if op == '*': acc = acc * v; kind = 'f' if 'f' in (kind, k) else 'i'
        else:
            if kind == 'i' and k == 'i': acc = Fraction(int(acc / v))
            else: acc = acc / v; kind = 'f'
    return float(acc)
def gofmt(f):
    if f == int(f) and abs(f) < 1e21: return str(int(f))
    a = abs(f)
    r = repr(f)
    if a < 1e-6 or a >= 1e21:
        raise SystemExit('exp format needed: %r' % f)
    if 'e' in r:
        from decimal import Decimal
        r = format(Decimal(r), 'f')
    return r
def table(start_pat):
    out = {}; inside = False
    for line in src:
        if line.startswith(start_pat): inside = True; continue
        if inside and line.startswith('}'): break
        if not inside: continue
        m = re.match(r'\s*"([^"]*)":\s*([^,]+),', line)
        if m: out[m.group(1)] = ev(m.group(2))
    return out
for name, pat in (('model', 'var ModelRatio = '), ('completion', 'var CompletionRatio = ')):
    t = table(pat)
    keys = sorted(t, key=lambda k: k.encode())
    with open(os.path.join(outdir, '%s.txt' % name), 'w') as f:
        for k in keys:
            assert '"' not in k and '\\' not in k and '<' not in k and '>' not in k and '&' not in k
            f.write('\t"\\"%s\\":%s,"\n' % (k, gofmt(t[k])))
    print(name, len(t))
