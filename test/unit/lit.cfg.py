# -*- Python -*-
# The GoogleTest binaries (every executable named *Tests in the unittests
# build folder), run by lit so that one command runs every suite.
import os

import lit.formats

config.name = "cnnc-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.cnnc_unittest_dir
config.test_exec_root = config.cnnc_unittest_dir
