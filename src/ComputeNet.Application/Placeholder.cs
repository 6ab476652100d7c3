namespace ComputeNet.Application; public static class Placeholder2 {}
