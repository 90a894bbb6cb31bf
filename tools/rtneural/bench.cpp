// The RTNeural side of the bench's real-time rows: the same models as
// `examples/bench.rs` (Dense N->N + tanh, GRU 1->N + Dense N->1,
// LSTM 1->N + Dense N->1, causal Conv1d N->N kernel 3) built with RTNeural's
// compile-time `ModelT`, random weights, one `forward` per sample on one
// thread. Prints one JSON object per line: {"model": "gru", "n": 8, "ns": 59.8}.
//
// Built and run by `tools/rtneural_bench.sh`; the timing mirrors the Rust
// bench's `median_secs` so both columns are measured the same way.

#include <RTNeural/RTNeural.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace
{

using Clock = std::chrono::steady_clock;

std::mt19937 rng(1);

/// Uniform weights scaled by 1/sqrt(fan_in), so activations stay in the
/// range a trained model would see (no saturation, no denormals).
float weight(int fan_in)
{
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    return uniform(rng) / std::sqrt((float)fan_in);
}

std::vector<std::vector<float>> matrix(int rows, int cols, int fan_in)
{
    std::vector<std::vector<float>> m(rows, std::vector<float>(cols));
    for(auto& row : m)
        for(auto& v : row)
            v = weight(fan_in);
    return m;
}

std::vector<float> vector(int len, int fan_in)
{
    std::vector<float> v(len);
    for(auto& x : v)
        x = weight(fan_in);
    return v;
}

template <typename Dense>
void randomize_dense(Dense& dense)
{
    dense.setWeights(matrix(Dense::out_size, Dense::in_size, Dense::in_size));
    auto bias = vector(Dense::out_size, Dense::in_size);
    dense.setBias(bias.data());
}

/// Median nanoseconds per call of `step`: calls are grouped so one timed
/// group lasts at least ~0.2 ms, groups repeat for ~0.4 s or 201 groups.
template <typename Step>
double median_ns(Step&& step)
{
    const auto budget = std::chrono::milliseconds(400);
    auto warm = Clock::now();
    long calls = 0;
    while(Clock::now() - warm < budget / 10 || calls < 3)
    {
        step();
        ++calls;
    }
    const double per_call = std::chrono::duration<double>(Clock::now() - warm).count() / (double)calls;
    const long group = std::max(1L, (long)std::ceil(2e-4 / per_call));
    std::vector<double> samples;
    const auto start = Clock::now();
    while((Clock::now() - start < budget && samples.size() < 201) || samples.size() < 11)
    {
        const auto t = Clock::now();
        for(long i = 0; i < group; ++i)
            step();
        samples.push_back(std::chrono::duration<double>(Clock::now() - t).count() / (double)group);
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2] * 1e9;
}

/// 64 different inputs of up to 64 values, cycled through so each call
/// sees a new sample (as audio would); aligned for RTNeural's Eigen maps.
struct Inputs
{
    alignas(64) float values[64][64];

    Inputs()
    {
        for(int i = 0; i < 64; ++i)
            for(int r = 0; r < 64; ++r)
                values[i][r] = std::sin((float)(r * 7 + i * 13) * 0.01f);
    }
};

const Inputs inputs;

template <typename Model>
double time_model(Model& model)
{
    model.reset();
    int i = 0;
    float sink = 0.0f;
    const double ns = median_ns([&]
        {
            sink += model.forward(inputs.values[i & 63]);
            ++i;
        });
    // Keeps the outputs observable so no forward pass is optimised away.
    if(sink == 12345.678f)
        std::puts("");
    return ns;
}

void print(const char* model, int n, double ns)
{
    std::printf("{\"model\": \"%s\", \"n\": %d, \"ns\": %.1f}\n", model, n, ns);
    std::fflush(stdout);
}

template <int N>
void dense_tanh()
{
    RTNeural::ModelT<float, N, N, RTNeural::DenseT<float, N, N>, RTNeural::TanhActivationT<float, N>> model;
    randomize_dense(model.template get<0>());
    print("dense_tanh", N, time_model(model));
}

template <int N>
void gru()
{
    RTNeural::ModelT<float, 1, 1, RTNeural::GRULayerT<float, 1, N>, RTNeural::DenseT<float, N, 1>> model;
    auto& layer = model.template get<0>();
    layer.setWVals(matrix(1, 3 * N, 1));
    layer.setUVals(matrix(N, 3 * N, N));
    layer.setBVals(matrix(2, 3 * N, N));
    randomize_dense(model.template get<1>());
    print("gru", N, time_model(model));
}

template <int N>
void lstm()
{
    RTNeural::ModelT<float, 1, 1, RTNeural::LSTMLayerT<float, 1, N>, RTNeural::DenseT<float, N, 1>> model;
    auto& layer = model.template get<0>();
    layer.setWVals(matrix(1, 4 * N, 1));
    layer.setUVals(matrix(N, 4 * N, N));
    layer.setBVals(vector(4 * N, N));
    randomize_dense(model.template get<1>());
    print("lstm", N, time_model(model));
}

template <int N>
void causal_conv()
{
    constexpr int kernel = 3;
    RTNeural::ModelT<float, N, N, RTNeural::Conv1DT<float, N, N, kernel, 1>> model;
    auto& layer = model.template get<0>();
    std::vector<std::vector<std::vector<float>>> weights(N);
    for(auto& per_output : weights)
        per_output = matrix(N, kernel, N * kernel);
    layer.setWeights(weights);
    layer.setBias(vector(N, N * kernel));
    print("conv1d", N, time_model(model));
}

} // namespace

int main()
{
    dense_tanh<8>();
    dense_tanh<16>();
    dense_tanh<32>();
    dense_tanh<64>();
    gru<8>();
    gru<16>();
    gru<32>();
    gru<64>();
    lstm<8>();
    lstm<16>();
    lstm<32>();
    lstm<64>();
    causal_conv<8>();
    causal_conv<16>();
    causal_conv<32>();
}
