"""The reference implementations `cargo xtask bench` compares descent with.

Trains the same network on the same data (written by `workload dump` as raw little-endian f64)
with the same mini-batch Adam, course style, and prints one JSON line:

    python3 reference.py <numpy|torch> <data dir> <layers, e.g. 2,5,2,1> <batch> <epochs> <lr> <threads>

- numpy: float64, the course's `L_model_forward` / `L_model_backward` /
  `update_parameters_with_adam` written with numpy arrays of shape (features, examples);
- torch: float32, `torch.nn.Linear` + ReLU + `BCEWithLogitsLoss` + `torch.optim.Adam`, with
  `torch.set_num_threads(threads)`.

Both use He initialization and a fresh permutation of the examples every epoch (numpy's
`RandomState(1)`), so they do the same work as descent; the weights differ (each draws its
own), so only the time is compared, not the cost. The parent sets OMP/OPENBLAS/MKL thread
counts before Python starts. Exit status 3 when the framework is not importable.
"""

import json
import sys
import time


def load(data_dir, n_features):
    import numpy as np

    x = np.fromfile(f"{data_dir}/x.f64", dtype="<f8").reshape(-1, n_features).T.copy()
    y = np.fromfile(f"{data_dir}/y.f64", dtype="<f8").reshape(1, -1)
    return x, y


def run_numpy(x, y, layers, batch, epochs, lr):
    import numpy as np

    rng = np.random.RandomState(1)
    n_layers = len(layers) - 1
    w = [rng.randn(layers[l + 1], layers[l]) * np.sqrt(2.0 / layers[l]) for l in range(n_layers)]
    b = [np.zeros((layers[l + 1], 1)) for l in range(n_layers)]
    vw = [np.zeros_like(p) for p in w]
    vb = [np.zeros_like(p) for p in b]
    sw = [np.zeros_like(p) for p in w]
    sb = [np.zeros_like(p) for p in b]
    beta1, beta2, eps, t = 0.9, 0.999, 1e-8, 0
    m = x.shape[1]
    cost = float("nan")
    start = time.perf_counter()
    for _ in range(epochs):
        perm = rng.permutation(m)
        cost_sum = 0.0
        for k in range(0, m, batch):
            idx = perm[k : k + batch]
            xb, yb = x[:, idx], y[:, idx]
            n = xb.shape[1]
            a = [xb]
            zs = []
            for l in range(n_layers):
                z = w[l] @ a[-1] + b[l]
                zs.append(z)
                a.append(np.maximum(z, 0) if l < n_layers - 1 else 1 / (1 + np.exp(-z)))
            z = zs[-1]
            cost_sum += float(np.sum(np.maximum(z, 0) - z * yb + np.log1p(np.exp(-np.abs(z)))))
            dz = (a[-1] - yb) / n
            t += 1
            for l in reversed(range(n_layers)):
                dw = dz @ a[l].T
                db = np.sum(dz, axis=1, keepdims=True)
                if l > 0:
                    dz = (w[l].T @ dz) * (zs[l - 1] > 0)
                for p, g, v, s in ((w, dw, vw, sw), (b, db, vb, sb)):
                    v[l] = beta1 * v[l] + (1 - beta1) * g
                    s[l] = beta2 * s[l] + (1 - beta2) * g * g
                    v_hat = v[l] / (1 - beta1**t)
                    s_hat = s[l] / (1 - beta2**t)
                    p[l] = p[l] - lr * v_hat / (np.sqrt(s_hat) + eps)
        cost = cost_sum / m
    return time.perf_counter() - start, cost


def run_torch(x, y, layers, batch, epochs, lr, threads):
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    mods = []
    for l in range(len(layers) - 1):
        lin = torch.nn.Linear(layers[l], layers[l + 1])
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        mods.append(lin)
        if l < len(layers) - 2:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")
    xt = torch.from_numpy(x.T.astype(np.float32).copy())
    yt = torch.from_numpy(y.T.astype(np.float32).copy())
    rng = np.random.RandomState(1)
    m = xt.shape[0]
    cost = float("nan")
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(m))
        cost_sum = 0.0
        for k in range(0, m, batch):
            idx = perm[k : k + batch]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            cost_sum += loss.item()
            (loss / xb.shape[0]).backward()
            opt.step()
        cost = cost_sum / m
    return time.perf_counter() - start, cost


def main():
    framework, data_dir, layers, batch, epochs, lr, threads = sys.argv[1:8]
    layers = [int(v) for v in layers.split(",")]
    batch, epochs, lr, threads = int(batch), int(epochs), float(lr), int(threads)
    try:
        if framework == "numpy":
            import numpy  # noqa: F401
        else:
            import torch  # noqa: F401
    except ImportError as err:
        print(json.dumps({"framework": framework, "error": str(err)}))
        sys.exit(3)
    x, y = load(data_dir, layers[0])
    if framework == "numpy":
        seconds, cost = run_numpy(x, y, layers, batch, epochs, lr)
    else:
        seconds, cost = run_torch(x, y, layers, batch, epochs, lr, threads)
    print(json.dumps({"framework": framework, "seconds": seconds, "final_cost": cost}))


if __name__ == "__main__":
    main()
