"""The module helpers take a torch.nn.Conv2d-like object by duck typing (no torch needed)."""
from types import SimpleNamespace

import numpy as np
import pytest

import convalgebra as ca

rng = np.random.default_rng(11)


class FakeTensor:
    """Stands for a torch tensor: detach().cpu().numpy()."""

    def __init__(self, a):
        self.a = a

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


def conv2d(**kw):
    w = rng.standard_normal((4, 2, 3, 3))
    base = dict(in_channels=2, out_channels=4, weight=FakeTensor(w), bias=FakeTensor(rng.standard_normal(4)),
                stride=(2, 1), padding=(1, 1), dilation=(1, 1), groups=1, padding_mode="zeros", transposed=False)
    base.update(kw)
    return SimpleNamespace(**base)


def test_conv_arguments_read_the_module():
    op, options = ca.conv_arguments(conv2d(padding_mode="reflect"))
    assert op == "conv" and options["stride"] == [2, 1] and options["padding"] == [1, 1]
    assert options["padding_mode"] == "reflect" and options["weight"].shape == (4, 2, 3, 3)


def test_apply_module_is_apply_with_the_module_arguments():
    m = conv2d()
    x = rng.standard_normal((2, 2, 6, 5))
    y = ca.apply_module(m, x)
    expected = ca.apply("conv", x, weight=m.weight.a, bias=m.bias.a, stride=(2, 1), padding=1)
    assert y.shape == (2, 4, 3, 5) and np.array_equal(y, expected)


def test_transposed_module_and_its_gradient():
    w = rng.standard_normal((2, 3, 4, 4))
    m = SimpleNamespace(in_channels=2, weight=w, bias=None, stride=(2, 2), padding=(1, 1), output_padding=(0, 0),
                        dilation=(1, 1), groups=1, padding_mode="zeros", transposed=True)
    x = rng.standard_normal((1, 2, 3, 3))
    y = ca.apply_module(m, x)
    assert y.shape == (1, 3, 6, 6)
    g = rng.standard_normal(y.shape)
    assert np.isclose(np.vdot(y, g), np.vdot(x, ca.transpose_module(m, g, (2, 3, 3))), rtol=1e-12)
    assert ca.analyze_module(m, (2, 3, 3))["domain"] == [2, 3, 3]


def test_a_module_that_does_not_fit_is_a_value_error():
    with pytest.raises(ValueError):
        ca.conv_arguments(conv2d(in_channels=3))
    with pytest.raises(ValueError):
        ca.conv_arguments(SimpleNamespace(weight=np.zeros((2, 2)), transposed=False))
