"""Canon CNNs that torchvision lacks, written here from their papers.

    model = build("shufflenet_v1_g3", seed=0)          # eval mode, seeded, calibrated BN
    shape = input_shape("shufflenet_v1_g3", batch=1)   # (1, 3, 224, 224)

Networks (NAMES):

  lenet5            LeCun et al. 1998, "Gradient-based learning applied to document
                    recognition". 1x32x32 grayscale; C1 conv5 6, S2 2x2 average
                    subsampling with a trainable coefficient and bias per map,
                    C3 conv5 16, S4, C5 conv5 120, F6 84, output 10. Squashing
                    function f(a) = 1.7159 tanh(2a/3). C3 connects every S2 map
                    (the paper's sparse connection table is not reproduced), and
                    the output layer is a linear layer instead of RBF units.
  mobilenet_v1      Howard et al. 2017: 3x3 conv then 13 depthwise-separable blocks
                    (depthwise 3x3 + BN + ReLU, pointwise 1x1 + BN + ReLU), width
                    multiplier 1.0, 224x224, global average pool, FC 1000.
  shufflenet_v1_g3  Zhang et al. 2017, "ShuffleNet" Table 1 with g=3 (240/480/960
  shufflenet_v1_g8  channels) and g=8 (384/768/1536), scale 1.0: grouped 1x1 convs,
                    channel shuffle as reshape(N,g,C/g,H,W)-transpose(1,2)-reshape,
                    depthwise 3x3, stride-2 units concatenate a 3x3 average pool
                    shortcut. The first 1x1 conv of stage 2 is not grouped (24
                    input channels), as in the paper.
  xception          Chollet 2017, Fig. 5: entry flow (two 3x3 convs, three residual
                    blocks of separable convs 128/256/728 with strided max pool and
                    1x1 strided shortcut), middle flow of residual blocks of three
                    ReLU-SeparableConv728-BN, exit flow (728/1024 block, separable
                    1536 and 2048), 299x299. Middle flow SHORTENED to 4 repeats
                    (paper: 8) to keep compile and run time down; the repeated
                    block is identical, so the op coverage is the same.
  se_resnet18       Hu et al. 2018, "Squeeze-and-Excitation Networks" on a ResNet-18
                    body: every basic block rescales its residual branch with
                    global average pool -> 1x1 conv (C/16) -> ReLU -> 1x1 conv (C)
                    -> sigmoid -> multiply, before the identity addition.
  alexnet_lrn       Krizhevsky et al. 2012, the original two-GPU AlexNet: 227x227,
                    conv1 96@11x11/4, conv2 256@5x5 groups=2, conv3 384@3x3 (both
                    GPUs), conv4 384@3x3 groups=2, conv5 256@3x3 groups=2, local
                    response normalization (n=5, k=2, alpha=1e-4, beta=0.75) after
                    the ReLUs of conv1 and conv2, overlapping 3x3/2 max pools, FC
                    4096-4096-1000 with dropout. LRN is exported as the ONNX LRN
                    operator (torch would decompose it into Pad/AveragePool-3d/If).

Weights are drawn from torch's RNG after torch.manual_seed(seed); biases the
layers leave at zero are redrawn and BatchNorm layers are calibrated with the
helpers of test/e2e/cnnc_models.py (randomize_zero_biases, calibrate_batchnorm),
so statistics are real running averages (see DESIGN.md, "Testing"). The two
networks without BatchNorm (lenet5, alexnet_lrn) get variance-preserving
initializations so their outputs stay O(1) and the normwise bound means
something.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from typing import Tuple

sys.dont_write_bytecode = True
_E2E = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e")
if _E2E not in sys.path:
    sys.path.insert(0, _E2E)
import cnnc_models  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# --------------------------------------------------------------------------- LeNet-5

class _ScaledTanh(nn.Module):
    """LeCun's squashing function f(a) = A tanh(S a), A = 1.7159, S = 2/3."""

    def forward(self, x):
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class _Subsampling(nn.Module):
    """LeNet-5's S2/S4: sum of a 2x2 window times a trainable coefficient, plus a
    trainable bias, per feature map. Written as a 2x2 average pool followed by a
    per-channel affine map (a depthwise 1x1 conv with bias; the factor 4 that
    turns the average into the sum is folded into the coefficient)."""

    def __init__(self, channels):
        super().__init__()
        self.pool = nn.AvgPool2d(2, 2)
        self.affine = nn.Conv2d(channels, channels, 1, groups=channels, bias=True)

    def forward(self, x):
        return self.affine(self.pool(x))


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), _ScaledTanh(),          # C1: 32 -> 28
            _Subsampling(6), _ScaledTanh(),              # S2: 28 -> 14
            nn.Conv2d(6, 16, 5), _ScaledTanh(),          # C3: 14 -> 10
            _Subsampling(16), _ScaledTanh(),             # S4: 10 -> 5
            nn.Conv2d(16, 120, 5), _ScaledTanh(),        # C5: 5 -> 1
        )
        self.classifier = nn.Sequential(
            nn.Flatten(1),
            nn.Linear(120, 84), _ScaledTanh(),           # F6
            nn.Linear(84, num_classes),                  # output
        )

    def forward(self, x):
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- MobileNet v1

def _conv_bn_relu(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class MobileNetV1(nn.Module):
    # (output channels, stride) of the 13 depthwise-separable blocks, paper Table 1.
    CFG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
           (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, num_classes=1000, width=1.0):
        super().__init__()
        c = int(32 * width)
        layers = [_conv_bn_relu(3, c, 3, 2)]
        for out, s in self.CFG:
            out = int(out * width)
            layers.append(_conv_bn_relu(c, c, 3, s, groups=c))  # depthwise
            layers.append(_conv_bn_relu(c, out, 1))               # pointwise
            c = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


# --------------------------------------------------------------------------- ShuffleNet v1

def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    x = x.reshape(n, groups, c // groups, h, w)
    x = x.transpose(1, 2).contiguous()
    return x.reshape(n, c, h, w)


class ShuffleUnitV1(nn.Module):
    def __init__(self, cin, cout, stride, groups, first_grouped=True):
        super().__init__()
        self.stride = stride
        self.groups = groups
        branch_out = cout - cin if stride == 2 else cout
        mid = cout // 4
        g1 = groups if first_grouped else 1
        self.gconv1 = nn.Conv2d(cin, mid, 1, groups=g1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.dwconv = nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.gconv2 = nn.Conv2d(mid, branch_out, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(branch_out)

    def forward(self, x):
        y = F.relu(self.bn1(self.gconv1(x)))
        y = channel_shuffle(y, self.groups)
        y = self.bn2(self.dwconv(y))
        y = self.bn3(self.gconv2(y))
        if self.stride == 2:
            return F.relu(torch.cat([F.avg_pool2d(x, 3, 2, 1), y], 1))
        return F.relu(x + y)


class ShuffleNetV1(nn.Module):
    CHANNELS = {1: (144, 288, 576), 2: (200, 400, 800), 3: (240, 480, 960),
                4: (272, 544, 1088), 8: (384, 768, 1536)}
    REPEATS = (3, 7, 3)  # stride-1 units after the stride-2 unit of stages 2-4

    def __init__(self, groups=3, num_classes=1000):
        super().__init__()
        self.conv1 = _conv_bn_relu(3, 24, 3, 2)
        self.pool = nn.MaxPool2d(3, 2, 1)
        units = []
        c = 24
        for stage, (cout, rep) in enumerate(zip(self.CHANNELS[groups], self.REPEATS)):
            units.append(ShuffleUnitV1(c, cout, 2, groups, first_grouped=stage > 0))
            units += [ShuffleUnitV1(cout, cout, 1, groups) for _ in range(rep)]
            c = cout
        self.stages = nn.Sequential(*units)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.stages(self.pool(self.conv1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --------------------------------------------------------------------------- Xception

class SeparableConv2d(nn.Module):
    """Depthwise 3x3 then pointwise 1x1, no non-linearity in between (paper Sec. 4)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class XceptionBlock(nn.Module):
    """Residual block of separable convs. Strided blocks end in a 3x3/2 max pool and
    have a 1x1/2 conv + BN shortcut; others use the identity shortcut."""

    def __init__(self, cin, couts, stride, relu_first=True):
        super().__init__()
        layers = []
        c = cin
        for i, cout in enumerate(couts):
            if i > 0 or relu_first:
                layers.append(nn.ReLU(inplace=False))
            layers += [SeparableConv2d(c, cout), nn.BatchNorm2d(cout)]
            c = cout
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, 1))
        self.body = nn.Sequential(*layers)
        if stride != 1 or cin != c:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, c, 1, stride, bias=False),
                                          nn.BatchNorm2d(c))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class Xception(nn.Module):
    def __init__(self, num_classes=1000, middle_repeats=8):
        super().__init__()
        self.entry = nn.Sequential(
            nn.Conv2d(3, 32, 3, 2, 0, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, 1, 0, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            XceptionBlock(64, (128, 128), 2, relu_first=False),
            XceptionBlock(128, (256, 256), 2),
            XceptionBlock(256, (728, 728), 2))
        self.middle = nn.Sequential(
            *[XceptionBlock(728, (728, 728, 728), 1) for _ in range(middle_repeats)])
        self.exit = nn.Sequential(
            XceptionBlock(728, (728, 1024), 2),
            SeparableConv2d(1024, 1536), nn.BatchNorm2d(1536), nn.ReLU(inplace=True),
            SeparableConv2d(1536, 2048), nn.BatchNorm2d(2048), nn.ReLU(inplace=True))
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.exit(self.middle(self.entry(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


XCEPTION_MIDDLE_REPEATS = 4


# --------------------------------------------------------------------------- SE-ResNet-18

class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s


class SEBasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.se = SqueezeExcitation(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.se(self.bn2(self.conv2(y)))
        idt = x if self.downsample is None else self.downsample(x)
        return F.relu(y + idt)


class SEResNet18(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1))
        blocks = []
        c = 64
        for i, cout in enumerate((64, 128, 256, 512)):
            blocks += [SEBasicBlock(c, cout, 1 if i == 0 else 2), SEBasicBlock(cout, cout, 1)]
            c = cout
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --------------------------------------------------------------------------- AlexNet (2012)

class _LRNFunction(torch.autograd.Function):
    """Local response normalization that exports as one ONNX LRN node.

    ONNX LRN and torch's local_response_norm both compute
    x / (bias + alpha / size * sum_{window} x^2) ** beta over `size` channels."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LRN(nn.Module):
    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=2.0):
        super().__init__()
        # The paper's alpha multiplies the plain sum; ONNX/torch divide alpha by size.
        self.size, self.alpha, self.beta, self.k = size, alpha * size, beta, k

    def forward(self, x):
        return _LRNFunction.apply(x, self.size, self.alpha, self.beta, self.k)


class AlexNet2012(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, 4, 0), nn.ReLU(inplace=True), LRN(),           # 227 -> 55
            nn.MaxPool2d(3, 2),                                                  # -> 27
            nn.Conv2d(96, 256, 5, 1, 2, groups=2), nn.ReLU(inplace=True), LRN(),
            nn.MaxPool2d(3, 2),                                                  # -> 13
            nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, 1, 1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, 1, 1, groups=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2))                                                  # -> 6
        self.classifier = nn.Sequential(
            nn.Flatten(1),
            nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


# --------------------------------------------------------------------------- registry

_CTORS = {
    "lenet5": (LeNet5, 1, 32),
    "mobilenet_v1": (MobileNetV1, 3, 224),
    "shufflenet_v1_g3": (lambda: ShuffleNetV1(groups=3), 3, 224),
    "shufflenet_v1_g8": (lambda: ShuffleNetV1(groups=8), 3, 224),
    "xception": (lambda: Xception(middle_repeats=XCEPTION_MIDDLE_REPEATS), 3, 299),
    "se_resnet18": (SEResNet18, 3, 224),
    "alexnet_lrn": (AlexNet2012, 3, 227),
}
NAMES = tuple(_CTORS)


def input_channels(name: str) -> int:
    return _CTORS[name][1]


def default_size(name: str) -> int:
    return _CTORS[name][2]


def input_shape(name: str, batch: int = 1, size: int = None) -> Tuple[int, int, int, int]:
    return (batch, input_channels(name), size or default_size(name), size or default_size(name))


def _variance_preserving_init(model, gain_for):
    """Normal(0, gain/sqrt(fan_in)) weights for every Conv/Linear; `gain_for(module)`."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, gain_for(m) / math.sqrt(fan_in))


def build(name: str, seed: int = 0, calib_size: int = None, calib_batch: int = 4,
          calib_batches: int = 3):
    """Returns network `name` (see NAMES) in eval mode with seeded weights and
    calibrated BatchNorm statistics (calibration batches are calib_size x calib_size)."""
    if name not in _CTORS:
        raise ValueError(f"unknown zoo model '{name}' (known: {', '.join(NAMES)})")
    ctor, channels, size = _CTORS[name]
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ctor()
    if name == "lenet5":
        # Tanh layers: unit-variance preactivations (LeCun's recipe; the subsampling
        # coefficients then start near 1, i.e. near "sum of the window").
        _variance_preserving_init(model, lambda m: 1.0)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, _Subsampling):
                    m.affine.weight.uniform_(0.75, 1.25)
    elif name == "alexnet_lrn":
        _variance_preserving_init(model, lambda m: math.sqrt(2.0))  # He et al. for ReLU
    cnnc_models.randomize_zero_biases(model)
    cnnc_models.calibrate_batchnorm(model, calib_batches,
                                    (calib_batch, channels, calib_size or size, calib_size or size))
    return model
