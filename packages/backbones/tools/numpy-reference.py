#!/usr/bin/env python3
"""A NumPy (float64, NCHW) re-implementation of torchvision's ResNet forward pass in eval mode.

For machines without PyTorch: it writes random torchvision-layout weights (OIHW convs, BN
buffers, fc, num_batches_tracked as I64) and a reference file in the same format as
compare-torchvision.py, so the comparison test path runs anyway. It checks iern's topology,
padding and layout conversion against PyTorch's documented semantics, not against
torchvision's code itself.

  python numpy-reference.py --arch resnet18 --size 64 --out-dir /tmp/ref
  IERN_TORCHVISION_REF=/tmp/ref/resnet18-ref.safetensors npx vitest run packages/backbones/test/torchvision-reference.test.ts
"""
import argparse
import json
import os
import struct

import numpy as np

DEPTHS = {'resnet18': ('basic', [2, 2, 2, 2]), 'resnet34': ('basic', [3, 4, 6, 3]), 'resnet50': ('bottleneck', [3, 4, 6, 3])}


def save_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name, arr in tensors.items():
        dtype = {np.float32: 'F32', np.int64: 'I64'}[arr.dtype.type]
        b = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def random_state(arch, rng):
    kind, depths = DEPTHS[arch]
    sd = {}

    def conv(name, o, i, k):
        sd[name + '.weight'] = (rng.standard_normal((o, i, k, k)) * np.sqrt(2.0 / (i * k * k))).astype(np.float32)

    def bn(name, c, last=False):
        # the last BN of a residual branch is small in trained nets; it keeps activations in range
        sd[name + '.weight'] = rng.uniform(0.1, 0.4, c).astype(np.float32) if last else rng.uniform(0.5, 1.5, c).astype(np.float32)
        sd[name + '.bias'] = (rng.standard_normal(c) * 0.1).astype(np.float32)
        sd[name + '.running_mean'] = (rng.standard_normal(c) * 0.1).astype(np.float32)
        sd[name + '.running_var'] = rng.uniform(0.5, 1.5, c).astype(np.float32)
        sd[name + '.num_batches_tracked'] = np.array(100, dtype=np.int64)

    conv('conv1', 64, 3, 7)
    bn('bn1', 64)
    inplanes, exp = 64, (1 if kind == 'basic' else 4)
    for s, (planes, n) in enumerate(zip([64, 128, 256, 512], depths)):
        for b in range(n):
            p = f'layer{s + 1}.{b}'
            stride = 2 if (b == 0 and s > 0) else 1
            if kind == 'basic':
                conv(p + '.conv1', planes, inplanes, 3); bn(p + '.bn1', planes)
                conv(p + '.conv2', planes, planes, 3); bn(p + '.bn2', planes, True)
            else:
                conv(p + '.conv1', planes, inplanes, 1); bn(p + '.bn1', planes)
                conv(p + '.conv2', planes, planes, 3); bn(p + '.bn2', planes)
                conv(p + '.conv3', planes * 4, planes, 1); bn(p + '.bn3', planes * 4, True)
            if stride != 1 or inplanes != planes * exp:
                conv(p + '.downsample.0', planes * exp, inplanes, 1); bn(p + '.downsample.1', planes * exp, True)
            inplanes = planes * exp
    sd['fc.weight'] = (rng.standard_normal((1000, inplanes)) * 0.01).astype(np.float32)
    sd['fc.bias'] = np.zeros(1000, dtype=np.float32)
    return sd


def conv2d(x, w, stride, pad):
    """PyTorch Conv2d (no bias): x NCHW, w OIHW, symmetric zero padding."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    cols = np.empty((n, c, k, k, oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = x[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return np.einsum('nckloq,dckl->ndoq', cols, w.astype(x.dtype), optimize=True)


def maxpool(x):
    """PyTorch MaxPool2d(3, 2, 1): padding is -inf."""
    x = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    h, w = x.shape[2], x.shape[3]
    oh, ow = (h - 3) // 2 + 1, (w - 3) // 2 + 1
    return np.max([x[:, :, i:i + 2 * oh:2, j:j + 2 * ow:2] for i in range(3) for j in range(3)], axis=0)


def forward(sd, x, arch):
    kind, depths = DEPTHS[arch]
    f = lambda n: sd[n].astype(np.float64)
    bn = lambda x, n: (x - f(n + '.running_mean')[None, :, None, None]) / np.sqrt(f(n + '.running_var') + 1e-5)[None, :, None, None] * f(n + '.weight')[None, :, None, None] + f(n + '.bias')[None, :, None, None]
    relu = lambda x: np.maximum(x, 0)
    y = maxpool(relu(bn(conv2d(x, sd['conv1.weight'], 2, 3), 'bn1')))
    for s, n in enumerate(depths):
        for b in range(n):
            p = f'layer{s + 1}.{b}'
            stride = 2 if (b == 0 and s > 0) else 1
            if kind == 'basic':
                z = relu(bn(conv2d(y, sd[p + '.conv1.weight'], stride, 1), p + '.bn1'))
                z = bn(conv2d(z, sd[p + '.conv2.weight'], 1, 1), p + '.bn2')
            else:
                z = relu(bn(conv2d(y, sd[p + '.conv1.weight'], 1, 0), p + '.bn1'))
                z = relu(bn(conv2d(z, sd[p + '.conv2.weight'], stride, 1), p + '.bn2'))
                z = bn(conv2d(z, sd[p + '.conv3.weight'], 1, 0), p + '.bn3')
            idn = bn(conv2d(y, sd[p + '.downsample.0.weight'], stride, 0), p + '.downsample.1') if p + '.downsample.0.weight' in sd else y
            y = relu(z + idn)
    return y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', default='resnet18', choices=list(DEPTHS))
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--out-dir', required=True)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(0)
    sd = random_state(args.arch, rng)
    weights = f'{args.arch}-random.safetensors'
    save_safetensors(os.path.join(args.out_dir, weights), sd, {'format': 'pt'})
    x = rng.standard_normal((args.batch, 3, args.size, args.size)).astype(np.float32).astype(np.float64)
    y = forward(sd, x, args.arch)
    out = os.path.join(args.out_dir, f'{args.arch}-ref.safetensors')
    save_safetensors(out, {'input': x.transpose(0, 2, 3, 1).astype(np.float32), 'layer4': y.transpose(0, 2, 3, 1).astype(np.float32)},
                     {'arch': args.arch, 'weights': weights, 'producer': 'numpy-reference.py (float64)'})
    print(f'{out}: layer4 {list(y.shape)} (NCHW), |max| {np.abs(y).max():.4f}')


if __name__ == '__main__':
    main()
