"""Build the compiled detection core (``breachdesk.detect._core``); metadata is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "breachdesk.detect._core",
            sources=[
                "breachdesk/detect/_native/bd_module.c",
                "breachdesk/detect/_native/bd_scan.c",
            ],
            depends=[
                "breachdesk/detect/_native/bd_scan.h",
                "breachdesk/detect/_native/bd_tables.h",
            ],
            extra_compile_args=[
                "-O3",
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Wno-missing-field-initializers",
                "-Werror=implicit-function-declaration",
                "-Werror=int-conversion",
            ],
        )
    ]
)
