#!/usr/bin/env python3
"""Dump torchvision layer4 features for a fixed input, for iern's comparison test.

Needs torch, torchvision and safetensors (pip install torch torchvision safetensors).

  # 1. export ImageNet weights once (downloads from PyTorch's servers, outside iern)
  python -c "import torch, torchvision; from safetensors.torch import save_file; \
m=torchvision.models.resnet18(weights='IMAGENET1K_V1'); save_file(m.state_dict(), 'resnet18.safetensors')"
  # 2. reference features for those weights
  python compare-torchvision.py --arch resnet18 --weights resnet18.safetensors --out resnet18-ref.safetensors
  # 3. compare in iern (from the repository root)
  IERN_TORCHVISION_REF=$PWD/resnet18-ref.safetensors npx vitest run packages/backbones/test/torchvision-reference.test.ts

The reference file holds `input` (NHWC, already normalised) and `layer4` (NHWC) as float32,
with metadata `arch` and `weights` (the weights file name, looked up next to the reference).
"""
import argparse
import os

import torch
import torchvision
from safetensors.torch import load_file, save_file


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--arch', default='resnet18', choices=['resnet18', 'resnet34', 'resnet50'])
    p.add_argument('--weights', required=True, help='state dict saved with safetensors.torch.save_file')
    p.add_argument('--out', required=True, help='reference .safetensors to write')
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--normalization', default='imagenet', choices=['imagenet', 'half'])
    args = p.parse_args()

    model = getattr(torchvision.models, args.arch)(weights=None)
    model.load_state_dict(load_file(args.weights))
    model.eval()
    body = torch.nn.Sequential(*list(model.children())[:-2])  # drop avgpool and fc

    g = torch.Generator().manual_seed(0)
    pixels = torch.rand(args.batch, 3, args.size, args.size, generator=g, dtype=torch.float32)
    if args.normalization == 'imagenet':
        mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
    else:
        mean, std = torch.full((3,), 0.5), torch.full((3,), 0.5)
    x = (pixels - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
    with torch.no_grad():
        feats = body(x)
    save_file(
        {'input': x.permute(0, 2, 3, 1).contiguous(), 'layer4': feats.permute(0, 2, 3, 1).contiguous()},
        args.out,
        metadata={'arch': args.arch, 'weights': os.path.basename(args.weights), 'producer': f'torchvision {torchvision.__version__}'},
    )
    print(f'{args.out}: input {list(x.shape)} (NCHW) -> layer4 {list(feats.shape)}, |max| {feats.abs().max().item():.4f}')


if __name__ == '__main__':
    main()
