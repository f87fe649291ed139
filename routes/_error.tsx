/** The error page (404, 400, 403, 500, 503): a status, a sentence, a way back. */
export interface ErrorData {
  status: number;
  title: string;
  message: string;
}

export default function ErrorPage({ data }: { data: ErrorData }) {
  return (
    <section class="error-page">
      <p class="error-status">{data.status}</p>
      <h1>{data.title}</h1>
      <p class="lede">{data.message}</p>
      <p>
        <a class="button-primary" href="/">Back to the start</a>
      </p>
    </section>
  );
}
