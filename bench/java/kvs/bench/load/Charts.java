package kvs.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** PNG plots of benchmark results (XChart, drawn without a display). */
public final class Charts {

    static final int WIDTH = 900;
    static final int HEIGHT = 450;
    /** The percentiles plotted, and their labels. */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};
    private static final List<String> PERCENTILE_NAMES = List.of("p50", "p90", "p99", "p99.9", "p99.99", "max");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** One run: its throughput over time, and its latency at a few percentiles. */
    public static void run(Result r, Path png) throws IOException {
        // the last tick is cut short by the end of the run: plot whole ticks only
        double[] t = new double[Math.max(1, Math.min(r.perTick().length, (int) (r.nanos() / (Result.TICK_MILLIS * 1_000_000L))))];
        double[] rate = new double[t.length];
        for (int i = 0; i < t.length && i < r.perTick().length; i++) {
            t[i] = (i + 1) * Result.TICK_MILLIS / 1000.0;
            rate[i] = r.perTick()[i] * 1000.0 / Result.TICK_MILLIS;
        }
        XYChart throughput = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(r.workload().describe())
                .xAxisTitle("seconds").yAxisTitle("requests/s").build();
        throughput.getStyler().setMarkerSize(0);
        throughput.getStyler().setLegendVisible(false);
        throughput.addSeries("requests/s", t, rate);

        CategoryChart latency = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("latency, ms").xAxisTitle("percentile").yAxisTitle("ms").build();
        latency.getStyler().setLegendVisible(false);
        latency.addSeries("latency", PERCENTILE_NAMES,
                java.util.Arrays.stream(PERCENTILES).mapToObj(p -> (Number) r.millis(p)).toList());
        save(List.of(throughput, latency), 2, 1, png);
    }

    /** Grouped bars: one group per category, one bar per series. */
    public static CategoryChart bars(String title, String yTitle, List<String> categories,
                                     List<String> series, double[][] values) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH * 2).height(HEIGHT).title(title)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (int s = 0; s < series.size(); s++) {
            chart.addSeries(series.get(s), categories, java.util.Arrays.stream(values[s]).boxed().toList());
        }
        return chart;
    }

    /** Lines: y against x, one line per series. */
    public static XYChart lines(String title, String xTitle, String yTitle, double[] x, List<String> series,
                                double[][] values) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#"); // pool sizes are whole numbers
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (int s = 0; s < series.size(); s++) {
            chart.addSeries(series.get(s), x, values[s]);
        }
        return chart;
    }

    /** Writes {@code charts}, {@code rows} by {@code cols}, as one PNG image. */
    public static void save(List<? extends Chart<?, ?>> charts, int rows, int cols, Path png) throws IOException {
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(List.copyOf(charts), rows, cols, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
