"""ROSE (Choi et al.): the paper's evaluation sets (Table 2's rows and §5.1's "overall" mix), and the perturbations and
brightness tables of its outlier-exposure study."""

from __future__ import annotations

from ...paper import ROSE_OVERALL_BASE, ROSE_TABLE2_OOD, rose_ood_sets, rose_overall_members  # noqa: F401 (re-exported)

# App. B.3's perturbations, named as the columns of Tables 10 and 11. Tables 1 and 8 use SVD28, DCT28, GB and
# Random0.2; Table 9 uses SVD22 in place of SVD28. Their rows name the perturbation without K or μ.
PERTURBATIONS = {"SVD22": "svd:22", "SVD28": "svd:28", "DCT28": "dct:28", "GB": "gb",
                 "Random0.1": "random:0.1", "Random0.2": "random:0.2", "Random0.3": "random:0.3"}


BRIGHTNESS_TABLES = {"Table 1": ("celeba", ("SVD28", "DCT28", "GB", "Random0.2")),
                     "Table 8": ("svhn", ("SVD28", "DCT28", "GB", "Random0.2")),
                     "Table 9": ("omniglot", ("SVD22", "DCT28", "GB", "Random0.2"))}


ROW_NAMES = {"SVD22": "SVD", "SVD28": "SVD", "DCT28": "DCT", "GB": "GB", "Random0.2": "Random"}
