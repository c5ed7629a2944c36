"""Build the compiled detection core (``breachdesk.detect._core``); metadata: pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "breachdesk.detect._core",
            sources=[
                f"breachdesk/detect/_native/{name}.c"
                for name in (
                    "bd_module",
                    "bd_hash",
                    "bd_decode",
                    "bd_extract",
                    "bd_scan",
                    "bd_names",
                )
            ],
            depends=[
                "breachdesk/detect/_native/bd_scan.h",
                "breachdesk/detect/_native/bd_text.h",
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
                "-fvisibility=hidden",
            ],
        )
    ]
)
