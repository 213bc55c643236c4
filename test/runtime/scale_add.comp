// scale_add.comp - The kernel of fake_vulkan_artifact.c.
//
// dst[i] = 2 * src[i] + w[i] for the 6 elements of a [2,3] tensor. Run with
// workgroups of 4 on a grid of 2, so that 2 invocations must skip their
// element. CMakeLists.txt compiles it with glslangValidator, once per entry
// point name (scale_add_0, scale_add_1).
#version 450

layout(local_size_x = 4, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Source { float src[]; };
layout(std430, set = 0, binding = 1) readonly buffer Weight { float w[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Destination {
  float dst[];
};

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < 6u)
    dst[i] = 2.0 * src[i] + w[i];
}
