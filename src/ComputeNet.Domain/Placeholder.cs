namespace ComputeNet.Domain; public static class Placeholder {}
