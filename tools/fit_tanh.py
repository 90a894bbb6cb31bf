import numpy as np
X = 9.02
x = np.unique(np.concatenate([np.linspace(1e-4, X, 40000), np.geomspace(1e-6, 1, 2000)]))
s = x*x
f = np.tanh(x)/x
def fit(np_, nq, iters=200):
    lw = np.ones_like(s)/len(s)
    Q = np.ones_like(s)
    best=None
    for it in range(iters):
        # (f*Q - P)/ (f * Qprev) ~ 0 ; P = 1 + p1 s + ... ; Q = 1 + q1 s + ...
        cols = [s**k for k in range(1,np_+1)] + [-(f*s**k) for k in range(1,nq+1)]
        A = np.vstack(cols).T
        b = f - 1.0
        W = np.sqrt(lw)/(np.abs(Q)*f)
        sol, *_ = np.linalg.lstsq(A*W[:,None], b*W, rcond=None)
        p = np.concatenate([[1.0], sol[:np_]]); q = np.concatenate([[1.0], sol[np_:]])
        Qn = np.polyval(q[::-1], s); P = np.polyval(p[::-1], s)
        err = (P/Qn - f)/f
        m = np.max(np.abs(err))
        if best is None or m < best[2]: best=(p,q,m)
        lw = lw*np.abs(err); lw/=lw.sum()
        Q = Qn
    return best
for np_, nq in [(4,3),(5,3),(4,4),(5,4),(6,3)]:
    p,q,e = fit(np_,nq)
    # evaluate in float32 with Horner
    xs = np.linspace(0, X, 200001).astype(np.float32)
    s32 = (xs*xs).astype(np.float32)
    P = np.zeros_like(s32); 
    for c in p[::-1]: P = (P*s32 + np.float32(c)).astype(np.float32)
    Q = np.zeros_like(s32)
    for c in q[::-1]: Q = (Q*s32 + np.float32(c)).astype(np.float32)
    t = (xs * (P/Q).astype(np.float32)).astype(np.float32)
    t = np.minimum(t, np.float32(1.0))
    ref = np.tanh(xs.astype(np.float64))
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    ulp = np.maximum(ulp, np.spacing(np.float32(1e-38)))
    print(np_,nq,"model rel err %.3g"%e, "f32 max ulp %.2f"%np.max(np.abs(t-ref)/ulp))
    print("  p", ", ".join(repr(np.float32(v)) for v in p))
    print("  q", ", ".join(repr(np.float32(v)) for v in q))
p,q,e = fit(4,4)
xs = np.linspace(0, X, 2000001).astype(np.float32)
s32 = (xs*xs).astype(np.float32)
def horner(c, s):
    r = np.zeros_like(s)
    for v in c[::-1]: r = (r*s + np.float32(v)).astype(np.float32)
    return r
P=horner(p,s32); Q=horner(q,s32)
t=np.minimum((xs*(P/Q).astype(np.float32)).astype(np.float32), np.float32(1))
ref=np.tanh(xs.astype(np.float64))
ulp=np.maximum(np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64), 1e-45)
err=np.abs(t-ref)/ulp
i=np.argmax(err); print("max at x=",xs[i], err[i])
for lo,hi in [(0,0.5),(0.5,1),(1,2),(2,4),(4,9.1)]:
    m=(xs>=lo)&(xs<hi); print(lo,hi,"%.2f"%err[m].max())
t2=np.minimum(((xs*P).astype(np.float32)/Q).astype(np.float32), np.float32(1))
err2=np.abs(t2-ref)/ulp
print("x*P/Q max ulp %.2f"%err2.max())
for lo,hi in [(0,0.5),(0.5,1),(1,2),(2,4),(4,9.1)]:
    m=(xs>=lo)&(xs<hi); print(lo,hi,"%.2f"%err2[m].max())
